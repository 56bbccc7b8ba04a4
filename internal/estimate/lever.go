package estimate

import "fmt"

// biggestLever names the single largest item of the lead time that a config setting controls,
// with its share of the total. Ties go to the earlier item.
func biggestLever(stages []Stage, total int) string {
	var best *Item
	for si := range stages {
		for ii := range stages[si].Items {
			it := &stages[si].Items[ii]
			if it.Setting == "" || it.tenths == 0 {
				continue
			}
			if best == nil || it.tenths > best.tenths {
				best = it
			}
		}
	}
	if best == nil {
		return "none: no config setting adds to the lead time"
	}
	return fmt.Sprintf("%s (%s): %s of %s minutes", best.lever, best.Setting, minutes(best.tenths), minutes(total))
}
