package estimate

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes the estimate as one JSON object.
func (e *Estimate) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(e)
}

// WriteText writes the estimate as tables for a person: the stages with their items, the
// biggest lever, the costs, the price table's date and region, and what is left out. file names
// the config in the heading.
func (e *Estimate) WriteText(w io.Writer, file string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "ecsdelivery estimate: %s (%s), %d releases a month, --build-minutes %s, --test-minutes %s\n",
		e.App, file, e.ReleasesPerMonth, number(e.BuildMinutes), number(e.TestMinutes))
	for _, warning := range e.Warnings {
		fmt.Fprintf(&b, "WARNING: %s\n", warning)
	}
	b.WriteString("\nLead time of one release, push to production (minutes)\n")
	nameWidth := len("total")
	for _, s := range e.Stages {
		nameWidth = max(nameWidth, len(s.Name))
		for _, it := range s.Items {
			nameWidth = max(nameWidth, len(it.Name)+2)
		}
	}
	row := func(name, value, why string) {
		fmt.Fprintf(&b, "  %-*s %7s  %s\n", nameWidth, name, value, why)
	}
	for _, s := range e.Stages {
		row(s.Name, fmt.Sprintf("%.1f", s.Minutes), s.Why)
		for _, it := range s.Items {
			why := it.Why
			if it.Setting != "" {
				why = "[" + it.Setting + "] " + why
			}
			row("  "+it.Name, fmt.Sprintf("%.1f", it.Minutes), why)
		}
	}
	row("total", fmt.Sprintf("%.1f", e.LeadTimeMinutes), "the sum of the stages")
	fmt.Fprintf(&b, "\nBiggest lever: %s\n", e.BiggestLever)
	fmt.Fprintf(&b, "\nMonthly cost at %d releases (USD)\n", e.ReleasesPerMonth)
	costWidth := len("total")
	for _, c := range e.Costs {
		costWidth = max(costWidth, len(c.Name))
	}
	for _, c := range e.Costs {
		fmt.Fprintf(&b, "  %-*s %9.2f  %s\n", costWidth, c.Name, c.USD, c.Why)
	}
	fmt.Fprintf(&b, "  %-*s %9.2f  a month\n", costWidth, "total", e.MonthlyCostUSD)
	fmt.Fprintf(&b, "\nPrices: %s's, from the table of %s (%s)\n", e.PriceRegion, e.PriceTableDate, strings.Join(e.PriceSources, ", "))
	b.WriteString("Not included:\n")
	for _, x := range e.Excluded {
		fmt.Fprintf(&b, "  - %s\n", x)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
