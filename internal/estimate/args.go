package estimate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Args are the parsed arguments of "estimate [FILE] [--releases N] [--build-minutes M]
// [--test-minutes M] [--json]".
type Args struct {
	File string
	Options
	JSON bool
}

var (
	wholeNumber = regexp.MustCompile(`^[0-9]{1,9}$`)
	decimal     = regexp.MustCompile(`^[0-9]{1,9}(\.[0-9]{1,9})?$`)
)

// ParseArgs reads the command line after the verb. Flags are --flag V or --flag=V; --releases
// takes a whole number from 1 to 10000, the minutes a number from 0 to 1440 (decimals
// allowed, such as 2.5). The error names the flag and what was expected.
func ParseArgs(args []string, defaultFile string) (*Args, error) {
	a := &Args{File: defaultFile, Options: DefaultOptions()}
	fileSet, seen := false, map[string]bool{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			if fileSet {
				return nil, fmt.Errorf("estimate takes one config file, got %q and %q", a.File, arg)
			}
			a.File, fileSet = arg, true
			continue
		}
		flag, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		switch flag {
		case "json", "releases", "build-minutes", "test-minutes":
		default:
			return nil, fmt.Errorf("estimate: unknown flag %s; expected --releases, --build-minutes, --test-minutes or --json", arg)
		}
		if seen[flag] {
			return nil, fmt.Errorf("estimate: --%s given twice", flag)
		}
		seen[flag] = true
		if flag == "json" {
			if hasValue {
				return nil, fmt.Errorf("estimate: --json takes no value, got %q", arg)
			}
			a.JSON = true
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("estimate: --%s needs a value", flag)
			}
			i++
			value = args[i]
		}
		var err error
		switch flag {
		case "releases":
			a.Releases, err = parseReleases(value)
		case "build-minutes":
			a.BuildMinutes, err = parseMinutes(flag, value)
		case "test-minutes":
			a.TestMinutes, err = parseMinutes(flag, value)
		}
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

func parseReleases(value string) (int, error) {
	n, err := strconv.Atoi(value)
	if !wholeNumber.MatchString(value) || err != nil || n < 1 || n > MaxReleases {
		return 0, fmt.Errorf("estimate: --releases wants a whole number of releases a month from 1 to %d, got %q", MaxReleases, value)
	}
	return n, nil
}

func parseMinutes(flag, value string) (float64, error) {
	m, err := strconv.ParseFloat(value, 64)
	if !decimal.MatchString(value) || err != nil || m > MaxMinutes {
		return 0, fmt.Errorf("estimate: --%s wants minutes from 0 to %d (decimals allowed, such as 2.5), got %q", flag, MaxMinutes, value)
	}
	return m, nil
}
