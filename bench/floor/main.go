// Command floor is the smallest CDK Go app: one bucket. `make bench` runs it the same way as
// ecsdelivery to measure what any CDK Go synthesis costs (a Node process, the validator), so
// ecsdelivery's own share can be told apart.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close() // as ecsdelivery does: the Node process ends within the measured time
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("floor"), nil)
	awss3.NewBucket(stack, jsii.String("Bucket"), &awss3.BucketProps{EnforceSSL: jsii.Bool(true)})
	app.Synth(nil)
}
