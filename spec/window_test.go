package spec

import (
	"strings"
	"testing"
)

func TestCheckCron(t *testing.T) {
	for _, ok := range []string{
		"0 0 9-17 ? * MON-FRI", "0 0 9-17 ? * MON-FRI *", "* 0/15 8-18 ? JAN-NOV 2-6 2026-2030",
		"0 30 22 L * ?", "0 0 6 15W * ?", "0 0 6 ? * 6L", "0 0 6 ? * 2#3", "0 0,30 1,13 1-15 * ?",
	} {
		if msg := CheckCron(ok); msg != "" {
			t.Errorf("CheckCron(%q) = %q; want it accepted", ok, msg)
		}
	}
	for cron, want := range map[string]string{
		"0 9-17 * * MON-FRI":     "has 5 fields",
		"0 0 9-17 * * MON-FRI":   "expected '?' in exactly one of them",
		"0 0 9-17 ? * ?":         "expected '?' in exactly one of them",
		"0 0 24 ? * MON":         `hours field "24": "24" is not a value from 0 to 23`,
		"0 61 9 ? * MON":         `minutes field "61"`,
		"0 0 9 ? 13 MON":         `month field "13": "13" is not a value from 1 to 12 or JAN-DEC`,
		"0 0 9 ? * MOX":          `day-of-week field "MOX"`,
		"0 0 17-9 ? * MON":       "range 17-9 is backwards",
		"0 0/0 9 ? * MON":        `step "0" is not a number from 1 to 60`,
		"? 0 9 ? * MON":          "seconds field is '?'",
		"0 0 9 ? * MON 1969":     `year field "1969"`,
		"0 0 9 32 * ?":           `day-of-month field "32"`,
		"0 0 9 ? * MON 2026 x y": "has 9 fields",
	} {
		if msg := CheckCron(cron); !strings.Contains(msg, want) {
			t.Errorf("CheckCron(%q) = %q; want it to say %q", cron, msg, want)
		}
	}
}

func TestCheckTimezone(t *testing.T) {
	for _, ok := range []string{"UTC", "UTC+05:30", "UTC-08:00", "Europe/Berlin", "America/Argentina/Buenos_Aires"} {
		if msg := CheckTimezone(ok); msg != "" {
			t.Errorf("CheckTimezone(%q) = %q; want it accepted", ok, msg)
		}
	}
	for zone, want := range map[string]string{
		"CST": "abbreviations such as CST are ambiguous", "Europe/Atlantis": "not a known IANA time zone",
		"UTC+15:00": "not an IANA time zone", "": "not an IANA time zone", "Local": "not an IANA time zone",
	} {
		if msg := CheckTimezone(zone); !strings.Contains(msg, want) {
			t.Errorf("CheckTimezone(%q) = %q; want it to say %q", zone, msg, want)
		}
	}
}
