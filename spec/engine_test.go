package spec

import (
	"strings"
	"testing"
)

func TestParseStrategy(t *testing.T) {
	good := map[string]Shift{
		"AllAtOnce":                      {Kind: "BLUE_GREEN"},
		"Canary10Percent5Minutes":        {"CANARY", 10, 5},
		"Canary25Percent1Minute":         {"CANARY", 25, 1},
		"Linear10PercentEvery1Minute":    {"LINEAR", 10, 1},
		"Linear10PercentEvery3Minutes":   {"LINEAR", 10, 3},
		"Linear3PercentEvery1440Minutes": {"LINEAR", 3, 1440},
	}
	for name, want := range good {
		if got, msg := ParseStrategy(name); msg != "" || got != want {
			t.Errorf("ParseStrategy(%q) = %+v, %q; want %+v", name, got, msg, want)
		}
	}
	bad := map[string]string{
		"Blue":                         "is not a strategy",
		"Linear2PercentEvery1Minute":   "smallest step is 3 percent",
		"Canary0Percent5Minutes":       "from 1 to 99",
		"Canary100Percent5Minutes":     "from 1 to 99",
		"Canary10Percent1441Minutes":   "1 to 1440",
		"Linear10PercentEvery0Minutes": "1 to 1440",
	}
	for name, want := range bad {
		if _, msg := ParseStrategy(name); !strings.Contains(msg, want) {
			t.Errorf("ParseStrategy(%q) says %q; want it to contain %q", name, msg, want)
		}
	}
}

func TestCheckStrategyByEngine(t *testing.T) {
	for _, name := range StrategyNames() {
		for _, engine := range Engines {
			if msg := CheckStrategy(engine, name); msg != "" {
				t.Errorf("%s on %s: %s; every predefined strategy works on both engines", name, engine, msg)
			}
		}
	}
	if msg := CheckStrategy(EngineCodeDeploy, "Canary25Percent10Minutes"); !strings.Contains(msg, "engine: ecs") {
		t.Errorf("a custom canary on CodeDeploy says %q; want it to point to engine: ecs", msg)
	}
	if msg := CheckStrategy(EngineECS, "Canary25Percent10Minutes"); msg != "" {
		t.Errorf("a custom canary on ECS: %s", msg)
	}
}

func TestReleaseMinutes(t *testing.T) {
	cases := []struct {
		strategy string
		bake     int
		want     int
	}{
		{"AllAtOnce", 5, 5 + ReleaseOverheadMinutes},
		{"Canary10Percent5Minutes", 15, 20 + ReleaseOverheadMinutes},
		{"Linear10PercentEvery3Minutes", 0, 30 + ReleaseOverheadMinutes},
		{"Linear30PercentEvery2Minutes", 0, 8 + ReleaseOverheadMinutes}, // 4 steps: 30, 60, 90, 100
	}
	for _, c := range cases {
		s, _ := ParseStrategy(c.strategy)
		if got := ReleaseMinutes(s, c.bake); got != c.want {
			t.Errorf("ReleaseMinutes(%s, %d) = %d; want %d", c.strategy, c.bake, got, c.want)
		}
	}
}
