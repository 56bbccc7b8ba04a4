package app

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// TestAwsSolutions: cdk-nag's AwsSolutions pack finds no unsuppressed error or warning in any
// stack of the shipped configs. Suppressions sit in the library next to what they excuse.
func TestAwsSolutions(t *testing.T) {
	counts := map[string]int{}
	for _, file := range shipped {
		t.Run(file, func(t *testing.T) {
			s := synth(t, file)
			for _, stack := range append([]awscdk.Stack{s.delivery.Pipeline}, s.delivery.Environments...) {
				t.Run(*stack.StackName(), func(t *testing.T) {
					annotations := assertions.Annotations_FromStack(stack)
					for level, found := range map[string]*[]*cxapi.SynthesisMessage{
						"error":   annotations.FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-"))),
						"warning": annotations.FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-"))),
					} {
						for _, m := range *found {
							text := fmt.Sprint(m.Entry.Data)
							rule := strings.SplitN(text, ":", 2)[0]
							counts[rule]++
							t.Errorf("%s %s: %s at %s: %s", file, *stack.StackName(), level, *m.Id, firstLine(text))
						}
					}
				})
			}
		})
	}
	var rules []string
	for r, n := range counts {
		rules = append(rules, fmt.Sprintf("%s×%d", r, n))
	}
	sort.Strings(rules)
	if len(rules) > 0 {
		t.Logf("findings by rule: %s", strings.Join(rules, " "))
	}
}
