package ecsdelivery_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery"
)

// An environment in its own account: network, cluster, load balancer, service, CodeDeploy and
// the role the pipeline deploys with.
func ExampleNewEnvironment() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("shop-staging"), &awscdk.StackProps{
		Env: &awscdk.Environment{Region: jsii.String("eu-west-1")},
	})
	env, err := ecsdelivery.NewEnvironment(stack, "Environment", &ecsdelivery.EnvironmentProps{
		Name:     "shop-staging", // prefixes the physical names
		Pipeline: "shop",         // the pipeline that deploys here
		Service:  ecsdelivery.ServiceOptions{ContainerPort: 3000, HealthCheckPath: "/ready"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(env.TaskFamily(), env.ContainerName(), env.ContainerPort())
	// Output: shop-staging app 3000
}

// A pipeline and the two environments it deploys to, all in one account, synthesised.
func ExampleNewPipeline() {
	out, err := os.MkdirTemp("", "shop-") // where the templates go; cdk.out under the CDK CLI
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(out)
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out)})
	region := &awscdk.Environment{Region: jsii.String("eu-west-1")}
	var targets []ecsdelivery.PipelineTargetOptions
	for _, name := range []string{"staging", "production"} {
		stack := awscdk.NewStack(app, jsii.String("shop-"+name), &awscdk.StackProps{Env: region})
		if _, err := ecsdelivery.NewEnvironment(stack, "Environment", &ecsdelivery.EnvironmentProps{
			Name: "shop-" + name, Pipeline: "shop",
		}); err != nil {
			fmt.Println(err)
			return
		}
		targets = append(targets, ecsdelivery.PipelineTargetOptions{
			Environment: name, Name: "shop-" + name, Approval: name == "production",
		})
	}
	stack := awscdk.NewStack(app, jsii.String("shop-pipeline"), &awscdk.StackProps{Env: region})
	pipeline, err := ecsdelivery.NewPipeline(stack, "Pipeline", &ecsdelivery.PipelineProps{
		Name:    "shop",
		Source:  ecsdelivery.SourceOptions{Owner: "acme", Repo: "shop"},
		Build:   ecsdelivery.BuildOptions{UnitTestCommand: "make test"},
		Targets: targets,
		Emails:  []string{"ops@acme.example"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	app.Synth(nil)
	fmt.Println(strings.Join(pipeline.StageNames(), " → "))
	// Output: Source → Build → Scan → Deploy-staging → Approve-production → Deploy-production
}
