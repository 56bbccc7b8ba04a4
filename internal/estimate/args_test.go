package estimate

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseArgs(t *testing.T) {
	def := DefaultOptions()
	cases := []struct {
		name string
		args []string
		want Args
	}{
		{"defaults", nil, Args{File: "delivery.yaml", Options: def}},
		{"file", []string{"my.yaml"}, Args{File: "my.yaml", Options: def}},
		{"flag value", []string{"--releases", "100", "--json"}, Args{File: "delivery.yaml", Options: Options{Releases: 100, BuildMinutes: 5, TestMinutes: 5}, JSON: true}},
		{"flag=value", []string{"x.yaml", "--build-minutes=12.5", "--test-minutes=0"},
			Args{File: "x.yaml", Options: Options{Releases: 30, BuildMinutes: 12.5, TestMinutes: 0}}},
		{"file after flags", []string{"--releases=1", "y.yaml"}, Args{File: "y.yaml", Options: Options{Releases: 1, BuildMinutes: 5, TestMinutes: 5}}},
		{"the limits", []string{"--releases", "10000", "--test-minutes", "1440"}, Args{File: "delivery.yaml", Options: Options{Releases: 10000, BuildMinutes: 5, TestMinutes: 1440}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseArgs(c.args, "delivery.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, *got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseArgsRefuses(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string // in the message
	}{
		{"unknown flag", []string{"--verbose"}, "unknown flag --verbose"},
		{"two files", []string{"a.yaml", "b.yaml"}, "one config file"},
		{"missing value", []string{"--releases"}, "--releases needs a value"},
		{"zero releases", []string{"--releases", "0"}, "--releases wants a whole number of releases a month from 1 to 10000"},
		{"too many releases", []string{"--releases=10001"}, "from 1 to 10000"},
		{"fractional releases", []string{"--releases=2.5"}, "whole number"},
		{"negative releases", []string{"--releases=-3"}, "whole number"},
		{"words", []string{"--build-minutes", "five"}, `--build-minutes wants minutes from 0 to 1440 (decimals allowed, such as 2.5), got "five"`},
		{"negative minutes", []string{"--test-minutes=-1"}, "--test-minutes wants minutes from 0 to 1440"},
		{"a day and more", []string{"--test-minutes", "1441"}, "from 0 to 1440"},
		{"exponent", []string{"--build-minutes", "1e3"}, "--build-minutes wants minutes"},
		{"not a number", []string{"--build-minutes", "NaN"}, "--build-minutes wants minutes"},
		{"json with a value", []string{"--json=false"}, "--json takes no value"},
		{"twice", []string{"--releases", "3", "--releases", "4"}, "--releases given twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseArgs(c.args, "delivery.yaml")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v; want an error containing %q", err, c.want)
			}
		})
	}
}
