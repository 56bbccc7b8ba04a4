package estimate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestJSONHasTheFields(t *testing.T) {
	e := estimate(t, demo(t), DefaultOptions())
	var buf bytes.Buffer
	if err := e.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&buf)
	var got map[string]any
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	if dec.More() {
		t.Error("more than one JSON value")
	}
	for _, field := range []string{"leadTimeMinutes", "stages", "monthlyCostUSD", "costs", "biggestLever",
		"releasesPerMonth", "priceTableDate", "priceRegion", "excluded"} {
		if _, ok := got[field]; !ok {
			t.Errorf("no field %q", field)
		}
	}
	if got["leadTimeMinutes"] != 66.1 || got["monthlyCostUSD"] != 147.16 || got["releasesPerMonth"] != float64(30) {
		t.Errorf("got %v minutes, $%v, %v releases", got["leadTimeMinutes"], got["monthlyCostUSD"], got["releasesPerMonth"])
	}
	if got["priceRegion"] != "us-east-1" || got["priceTableDate"] != PriceTableDate {
		t.Errorf("price region %v, date %v", got["priceRegion"], got["priceTableDate"])
	}
	stages := got["stages"].([]any)
	sum := 0.0
	for _, s := range stages {
		s := s.(map[string]any)
		for _, field := range []string{"name", "minutes", "why"} {
			if _, ok := s[field]; !ok {
				t.Errorf("stage %v has no %q", s["name"], field)
			}
		}
		sum += s["minutes"].(float64)
	}
	if tenthsOfMinutes(sum) != 661 {
		t.Errorf("stages add up to %v; want 66.1", sum)
	}
	for _, c := range got["costs"].([]any) {
		c := c.(map[string]any)
		for _, field := range []string{"name", "usd", "why"} {
			if _, ok := c[field]; !ok {
				t.Errorf("cost %v has no %q", c["name"], field)
			}
		}
	}
}

func TestTextNamesEverything(t *testing.T) {
	e := estimate(t, demo(t), DefaultOptions())
	var buf bytes.Buffer
	if err := e.WriteText(&buf, "delivery.yaml"); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, want := range []string{
		"Deploy-production", "termination wait", "66.1", "Biggest lever: production's termination wait",
		"147.16", "CloudWatch custom metrics ×17", "table of " + PriceTableDate, "us-east-1", "Not included:", "the application's own running tasks",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the text has no %q:\n%s", want, text)
		}
	}
}

// A region the table lacks is priced as us-east-1, and says so.
func TestUnpricedRegionWarns(t *testing.T) {
	cfg := fast(t)
	cfg.Pipeline.Region, cfg.Environments[0].Region = "sa-east-1", "sa-east-1"
	e := estimate(t, cfg, DefaultOptions())
	if e.PriceRegion != "us-east-1" {
		t.Errorf("price region: got %s; want us-east-1", e.PriceRegion)
	}
	if len(e.Warnings) == 0 || !strings.Contains(e.Warnings[0], "no price table for sa-east-1") {
		t.Errorf("warnings: %v", e.Warnings)
	}
	var buf bytes.Buffer
	if err := e.WriteText(&buf, "fast.yaml"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "WARNING: no price table for sa-east-1") {
		t.Errorf("the text does not warn:\n%s", buf.String())
	}
}

// The table prices the regions it promises, each in full; a missing compute type falls back with
// a warning.
func TestPriceTable(t *testing.T) {
	for _, region := range []string{"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1"} {
		t.Run(region, func(t *testing.T) {
			r, ok := priceTable[region]
			if !ok {
				t.Fatal("not in the table")
			}
			for name, v := range map[string]price{
				"fargate x86 vCPU": r.fargateVCPUHour["x86_64"], "fargate x86 GB": r.fargateGBHour["x86_64"],
				"fargate arm vCPU": r.fargateVCPUHour["arm64"], "fargate arm GB": r.fargateGBHour["arm64"],
				"NAT": r.natHour, "ALB": r.albHour, "LCU": r.lcuHour, "endpoint": r.endpointAZHour, "logs": r.logsIngestGB,
				"custom metric":  r.customMetricMonth,
				"general1.small": r.codeBuild["x86_64/small"], "general1.medium": r.codeBuild["x86_64/medium"], "general1.large": r.codeBuild["x86_64/large"],
			} {
				if v.usd <= 0 {
					t.Errorf("%s: no price", name)
				}
				if (v.how == derived || v.how == assumed) && v.basis == "" {
					t.Errorf("%s: a %v price that does not say what it comes from", name, v.how)
				}
			}
		})
	}
	for _, arch := range []string{"x86_64", "arm64"} {
		for _, size := range []string{"small", "medium", "large", "xlarge"} {
			if priceTable[fallbackRegion].codeBuild[arch+"/"+size].usd <= 0 {
				t.Errorf("%s has no price for %s", fallbackRegion, instanceName(arch, size))
			}
		}
	}
	p := &pricer{}
	got := p.codeBuild("eu-west-1", "arm64", "xlarge")
	if got.usd != priceTable[fallbackRegion].codeBuild["arm64/xlarge"].usd || len(p.warnings) != 1 {
		t.Errorf("eu-west-1's arm1.xlarge: got %v with warnings %v; want us-east-1's with one warning", got, p.warnings)
	}
	if want := ", assumed (us-east-1's, itself derived: ap-northeast-1's × 0.8), not read from the page"; got.caveat() != want {
		t.Errorf("eu-west-1's arm1.xlarge stands in as %q; want %q", got.caveat(), want)
	}
}
