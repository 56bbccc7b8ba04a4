package estimate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// counts are the billed resources the cost model counts, from the model or from templates.
type counts struct {
	Keys, Alarms, Dashboards, Secrets, Projects, NATGateways, LoadBalancers, InterfaceEndpoints int
	// DashboardMetrics are each dashboard's metrics, fewest first; CustomMetrics the notifier's
	// metrics (namespace ecsdelivery), which the pipeline dashboard graphs every one of.
	DashboardMetrics []int
	CustomMetrics    int
}

func modelCounts(all []stack) counts {
	var c counts
	for _, s := range all {
		c.Keys += s.keys
		c.Alarms += s.alarms
		c.Dashboards += s.dashboards
		c.Secrets += s.secrets
		c.Projects += s.projects
		c.NATGateways += s.natGateways
		c.LoadBalancers += s.loadBalancers
		c.InterfaceEndpoints += s.interfaceEndpoints
		c.CustomMetrics += s.customMetrics
		for range s.dashboards {
			c.DashboardMetrics = append(c.DashboardMetrics, s.dashboardMetrics)
		}
	}
	slices.Sort(c.DashboardMetrics)
	return c
}

// dashboardMetrics reads a synthesised DashboardBody, a string or an Fn::Join of strings and
// tokens, and returns its metrics (a row naming a namespace and metric; a row holding a math
// expression is no metric) and the distinct metrics of the namespace ecsdelivery among them
// (name and dimensions, whatever the statistic and period).
func dashboardMetrics(t *testing.T, raw json.RawMessage) (metrics int, custom map[string]bool) {
	t.Helper()
	var body string
	if err := json.Unmarshal(raw, &body); err != nil {
		var join struct {
			Join []json.RawMessage `json:"Fn::Join"`
		}
		if err := json.Unmarshal(raw, &join); err != nil || len(join.Join) != 2 {
			t.Fatalf("DashboardBody is neither a string nor an Fn::Join: %s", raw)
		}
		var parts []json.RawMessage
		if err := json.Unmarshal(join.Join[1], &parts); err != nil {
			t.Fatal(err)
		}
		for _, part := range parts {
			var s string
			if json.Unmarshal(part, &s) != nil {
				s = "token" // a Ref or Fn::GetAtt, inside a JSON string of the body
			}
			body += s
		}
	}
	var dashboard struct {
		Widgets []struct {
			Properties struct{ Metrics [][]any }
		}
	}
	if err := json.Unmarshal([]byte(body), &dashboard); err != nil {
		t.Fatalf("DashboardBody: %v\n%s", err, body)
	}
	custom = map[string]bool{}
	for _, w := range dashboard.Widgets {
		for _, row := range w.Properties.Metrics {
			namespace, ok := row[0].(string)
			if !ok {
				continue // {"expression": …}
			}
			metrics++
			if namespace != "ecsdelivery" {
				continue
			}
			var key []string
			for _, v := range row[1:] {
				if s, ok := v.(string); ok {
					key = append(key, s)
				}
			}
			custom[strings.Join(key, " ")] = true
		}
	}
	return metrics, custom
}

// templateCounts counts the same resources in a config's golden templates.
func templateCounts(t *testing.T, dir string) counts {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden templates in %s (%v)", dir, err)
	}
	var c counts
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tmpl struct {
			Resources map[string]struct {
				Type       string
				Properties struct {
					VpcEndpointType string
					DashboardBody   json.RawMessage
				}
			}
		}
		if err := json.Unmarshal(data, &tmpl); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range tmpl.Resources {
			switch r.Type {
			case "AWS::KMS::Key":
				c.Keys++
			case "AWS::CloudWatch::Alarm":
				c.Alarms++
			case "AWS::CloudWatch::Dashboard":
				c.Dashboards++
				metrics, custom := dashboardMetrics(t, r.Properties.DashboardBody)
				c.DashboardMetrics = append(c.DashboardMetrics, metrics)
				c.CustomMetrics += len(custom)
			case "AWS::SecretsManager::Secret":
				c.Secrets++
			case "AWS::CodeBuild::Project":
				c.Projects++
			case "AWS::EC2::NatGateway":
				c.NATGateways++
			case "AWS::ElasticLoadBalancingV2::LoadBalancer":
				c.LoadBalancers++
			case "AWS::EC2::VPCEndpoint":
				if r.Properties.VpcEndpointType == "Interface" {
					c.InterfaceEndpoints++
				}
			}
		}
	}
	slices.Sort(c.DashboardMetrics)
	return c
}

// The keys, alarms, dashboards and their metrics, secrets, projects, NAT gateways, load
// balancers, endpoints and the notifier's custom metrics the cost counts (read from the
// constructs' code) are the ones the shipped configs synthesise (app/testdata/<config>/,
// refreshed by make update-golden).
func TestInventoryMatchesGoldenTemplates(t *testing.T) {
	for name, cfg := range shippedConfigs(t) {
		t.Run(name, func(t *testing.T) {
			got := modelCounts(stacks(cfg))
			want := templateCounts(t, filepath.Join("../../app/testdata", name))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("the model's counts differ from the golden templates (-templates +model):\n%s", diff)
			}
		})
	}
}

// The demo's pipeline dashboard holds 30 metrics (10 without the environments, 10 for each of
// staging and production), each environment's 7, as the golden templates show.
func TestDemoDashboardMetrics(t *testing.T) {
	got := templateCounts(t, "../../app/testdata/delivery").DashboardMetrics
	if want := []int{7, 7, 30}; !slices.Equal(got, want) {
		t.Errorf("the demo's dashboards hold %v metrics; want %v", got, want)
	}
}
