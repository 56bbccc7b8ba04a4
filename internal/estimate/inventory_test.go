package estimate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// counts are the billed resources the cost model counts, from the model or from templates.
type counts struct {
	Keys, Alarms, Dashboards, Secrets, Projects, NATGateways, LoadBalancers, InterfaceEndpoints int
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
	}
	return c
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
				Properties struct{ VpcEndpointType string }
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
	return c
}

// The keys, alarms, dashboards, secrets, projects, NAT gateways, load balancers and endpoints
// the cost counts (read from the constructs' code) are the ones the shipped configs synthesise
// (app/testdata/<config>/, refreshed by make update-golden).
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
