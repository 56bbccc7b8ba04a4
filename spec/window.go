package spec

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	// Time zones are checked against the IANA database built into the program, not the
	// machine's, so every machine judges a config alike.
	_ "time/tzdata"
)

// Limits of the release-verification settings: CodePipeline's CloudWatchAlarm rule waits at
// most an hour, and the test-traffic check must finish inside one Lambda invocation.
const (
	MaxBakeMinutes             = 60
	MaxTestTrafficPaths        = 10
	MaxTestTrafficRequests     = 1000
	MaxTestTrafficLatencyMilli = 60000
)

// cronField is one field of a deployment window's cron expression (Quartz syntax, which
// CodePipeline's DeploymentWindow rule takes): its name, range and names for values.
type cronField struct {
	name     string
	lo, hi   int
	names    []string // names[i] is value lo+i
	question bool     // '?' allowed (the day fields)
	special  *regexp.Regexp
}

var (
	months     = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	days       = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
	cronFields = []cronField{
		{name: "seconds", lo: 0, hi: 59},
		{name: "minutes", lo: 0, hi: 59},
		{name: "hours", lo: 0, hi: 23},
		// L (last day), L-3 (third to last), 15W (weekday nearest the 15th), LW.
		{name: "day-of-month", lo: 1, hi: 31, question: true, special: regexp.MustCompile(`^(L(-([1-9]|[12][0-9]|30))?|LW|([1-9]|[12][0-9]|3[01])W)$`)},
		{name: "month", lo: 1, hi: 12, names: months},
		// 6L (last Friday), 2#3 (third Monday).
		{name: "day-of-week", lo: 1, hi: 7, names: days, question: true, special: regexp.MustCompile(`^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5])$`)},
		{name: "year", lo: 1970, hi: 2199},
	}
)

// CheckCron says what is wrong with a deployment window's cron expression, or "".
func CheckCron(expr string) string {
	fields := strings.Fields(expr)
	if len(fields) != 6 && len(fields) != 7 {
		return fmt.Sprintf("has %d fields; expected 6 or 7 separated by spaces: seconds minutes hours day-of-month month day-of-week [year], such as \"0 0 9-17 ? * MON-FRI\"", len(fields))
	}
	for i, f := range fields {
		if msg := cronFields[i].check(f); msg != "" {
			return msg
		}
	}
	if (fields[3] == "?") == (fields[5] == "?") {
		return "names both day-of-month and day-of-week, or neither; expected '?' in exactly one of them, such as \"0 0 9-17 ? * MON-FRI\""
	}
	return ""
}

func (c cronField) check(field string) string {
	if field == "?" {
		if c.question {
			return ""
		}
		return fmt.Sprintf("%s field is '?'; expected '?' only in day-of-month or day-of-week", c.name)
	}
	for _, item := range strings.Split(field, ",") {
		if c.special != nil && c.special.MatchString(item) {
			continue
		}
		if msg := c.item(item); msg != "" {
			return fmt.Sprintf("%s field %q: %s", c.name, field, msg)
		}
	}
	return ""
}

// item checks *, N, N-M, and either with /STEP.
func (c cronField) item(item string) string {
	base, step, stepped := strings.Cut(item, "/")
	if stepped {
		if n, err := strconv.Atoi(step); err != nil || n < 1 || n > c.hi-c.lo+1 {
			return fmt.Sprintf("step %q is not a number from 1 to %d", step, c.hi-c.lo+1)
		}
	}
	if base == "*" {
		return ""
	}
	lo, hi, ranged := strings.Cut(base, "-")
	a, msg := c.value(lo)
	if msg != "" || !ranged {
		return msg
	}
	b, msg := c.value(hi)
	if msg == "" && b < a && c.names == nil {
		return fmt.Sprintf("range %s is backwards", base)
	}
	return msg
}

func (c cronField) value(s string) (int, string) {
	for i, name := range c.names {
		if strings.EqualFold(s, name) {
			return c.lo + i, ""
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < c.lo || n > c.hi {
		what := fmt.Sprintf("%d to %d", c.lo, c.hi)
		if c.names != nil {
			what += " or " + c.names[0] + "-" + c.names[len(c.names)-1]
		}
		return 0, fmt.Sprintf("%q is not a value from %s", s, what)
	}
	return n, ""
}

var utcOffset = regexp.MustCompile(`^UTC([+-](0[0-9]|1[0-4]):[0-5][0-9])?$`)

// CheckTimezone says what is wrong with a deployment window's time zone, or "".
func CheckTimezone(zone string) string {
	if utcOffset.MatchString(zone) {
		return ""
	}
	if !strings.Contains(zone, "/") {
		return fmt.Sprintf("%q is not an IANA time zone; expected Area/City such as Europe/Berlin, or UTC with an offset such as UTC+05:30 (abbreviations such as CST are ambiguous)", zone)
	}
	if _, err := time.LoadLocation(zone); err != nil {
		return fmt.Sprintf("%q is not a known IANA time zone; expected Area/City such as Europe/Berlin or America/New_York", zone)
	}
	return ""
}
