package diagram_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/ecsdelivery/ecsdelivery/internal/diagram"
)

// The pipeline of examples/cross-account.yaml, modelled from its synthesised template: the
// stages in order, then each environment with its account, region, deploy role and checks.
// The production stack is passed too, so its test-traffic check is drawn; staging's is not,
// since its stack is not given.
func ExampleFromTemplate() {
	dir := "../../app/testdata/cross-account/"
	template, err := os.ReadFile(dir + "orders-api-pipeline-prod.template.json")
	if err != nil {
		panic(err)
	}
	production, err := os.ReadFile(dir + "orders-api-production-prod.template.json")
	if err != nil {
		panic(err)
	}
	p, err := diagram.FromTemplate(template, diagram.Env{Account: "111111111111", Region: "us-east-1"},
		diagram.Stack{Name: "orders-api-production-prod", Env: diagram.Env{Account: "333333333333", Region: "us-east-1"}, Template: production})
	if err != nil {
		panic(err)
	}
	var stages []string
	for _, s := range p.Stages {
		stages = append(stages, s.Name)
	}
	fmt.Println(strings.Join(stages, " → "))
	for _, e := range p.Environments() {
		fmt.Println(e.Name, e.AccountLabel(), e.Region, e.DeployRoleName())
		for _, g := range e.Gates {
			fmt.Println("  " + g.Text())
		}
	}
	// Output:
	// Source → Build → Scan → IntegrationTest → Deploy-staging → Approve-production → Deploy-production
	// staging 222222222222 us-east-1 orders-api-staging-prod-deploy
	// production 333333333333 us-east-1 orders-api-production-prod-deploy
	//   TEST TRAFFIC: /health, /orders?limit=1 ×20 → 200 within 1500 ms (CodeDeploy AfterAllowTestTraffic)
	//   ALARM ROLLBACK: 4 alarms, by CodeDeploy
}

// What the diagram verb does with the assembly it synthesised (here a small hand-written one):
// every pipeline in it, drawn as one Mermaid flowchart or one SVG document.
func ExampleLoad() {
	pipelines, err := diagram.Load("testdata/assembly")
	if err != nil {
		panic(err)
	}
	for _, p := range pipelines {
		fmt.Println(p.Title())
		for _, s := range p.Stages {
			fmt.Print(s.Name, ":")
			for _, g := range s.Entry {
				fmt.Print(" [", g.Text(), "]")
			}
			for _, a := range s.Actions {
				fmt.Print(" ", a.Name)
				if a.Gate != nil {
					fmt.Print(" [", a.Gate.Text(), "]")
				}
			}
			for _, g := range s.Success {
				fmt.Print(" [", g.Text(), "]")
			}
			if s.Failure != nil {
				fmt.Print(" [", s.Failure.Text(), "]")
			}
			fmt.Println()
			if e := s.Environment; e != nil {
				fmt.Println(" ", e.Name, e.AccountLabel(), e.Region, e.DeployRoleName(), "|", e.Shift)
				for _, g := range e.Gates {
					fmt.Println("  ", g.Text())
				}
			}
		}
	}
	_ = diagram.Mermaid(pipelines...) // or diagram.SVG(pipelines...)
	// Output:
	// pipeline shop (stack shop-pipeline, 111111111111, eu-west-1)
	// Source: GitHub
	// Build: Image UnitTests [UNIT TESTS] [RETRY: retries its failed actions]
	// Scan: Trivy [SCAN]
	// Approve-prod: Approve [APPROVAL: notifies shop-notifications]
	// Deploy-prod: [WINDOW: 0 * 9-16 ? * MON-FRI, Europe/Dublin] VerifySignature [SIGNATURE] BlueGreen [BAKE: 15 min, 1 alarm; rollback on alarm] [ROLLBACK: rolls back on failure]
	//   prod 222222222222 eu-west-1 shop-prod-deploy | CodeDeploy blue/green, Canary10Percent5Minutes, old tasks kept 5 min
	//    TEST TRAFFIC: /health ×10 → 200 within 2000 ms (CodeDeploy AfterAllowTestTraffic)
	//    ALARM ROLLBACK: 1 alarm, by CodeDeploy
}
