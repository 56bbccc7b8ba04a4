package preflight

// These tests run preflight against a real moto server (one per test binary, started by
// TestMain on a free loopback port and reset between scenarios). Two accounts: the pipeline's,
// moto's default 123456789012 (the environment's static fake keys), and 222222222222, reached
// through the shared-config profile "staging" (--account-profile 222222222222=staging). moto
// puts what an assumed role's keys do in the role's account, so each scenario assumes a role in
// 222222222222 and writes the keys it gets into that profile. (A role_arn profile would be the
// real-world way, but the SDK's assume-role client does not take AWS_ENDPOINT_URL, so it would
// call the real STS.)
//
// Stubbed: CodeConnections (moto has no CodeConnections API), through Options.Connections.
// Service Quotas is moto's own: it knows the vpc quotas but not ec2's Elastic IP quota, so the
// Elastic IP check takes its documented fallback (the default 5, with a warn line).

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	cctypes "github.com/aws/aws-sdk-go-v2/service/codeconnections/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ecsdelivery/ecsdelivery/config"
	"github.com/ecsdelivery/ecsdelivery/spec"
)

const (
	pipelineAccount = "123456789012" // moto's default account
	stagingAccount  = "222222222222"
	region          = "us-east-1"
	connectionARN   = "arn:aws:codeconnections:us-east-1:123456789012:connection/0a1b2c3d-0000-4000-8000-000000000001"
)

var motoURL, awsConfigFile string

func TestMain(m *testing.M) { os.Exit(runWithMoto(m)) }

func runWithMoto(m *testing.M) int {
	server, err := exec.LookPath("moto_server")
	if err != nil {
		fmt.Println("preflight: moto_server not found; skipping the tests that need it")
		motoURL = ""
		return m.Run()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(server, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	// Its own process group, killed by its pid at the end; and killed by the kernel should this
	// binary die first (a panic skips the deferred kill). Pdeathsig follows the starting thread,
	// which stays locked to this goroutine until m.Run returns.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		fmt.Println(err)
		return 1
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // moto's process group, by its pid
		_ = cmd.Wait()
	}()
	motoURL = fmt.Sprintf("http://127.0.0.1:%d", port)
	ready := false
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(motoURL + "/moto-api/"); err == nil {
			resp.Body.Close()
			ready = true
			break
		}
	}
	if !ready {
		fmt.Printf("moto_server did not start:\n%s", logs.String())
		return 1
	}

	dir, err := os.MkdirTemp("", "preflight-test-")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	defer os.RemoveAll(dir)
	awsConfigFile = filepath.Join(dir, "config")
	credentials := filepath.Join(dir, "credentials")
	_ = os.WriteFile(awsConfigFile, nil, 0o600)
	_ = os.WriteFile(credentials, nil, 0o600)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":            motoURL,
		"AWS_ACCESS_KEY_ID":           "testing",
		"AWS_SECRET_ACCESS_KEY":       "testing",
		"AWS_SESSION_TOKEN":           "testing",
		"AWS_CONFIG_FILE":             awsConfigFile,
		"AWS_SHARED_CREDENTIALS_FILE": credentials,
		"AWS_REGION":                  region,
	} {
		os.Setenv(k, v)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		os.Unsetenv(k)
	}
	return m.Run()
}

func needMoto(t *testing.T) {
	t.Helper()
	if motoURL == "" {
		// In CI a gate is never skipped in silence.
		if os.Getenv("CI") == "true" {
			t.Fatal("moto_server not installed, and CI=true: the preflight scenarios need it (it ships with moto's server extra)")
		}
		t.Skip("moto_server is not installed")
	}
	resp, err := http.Post(motoURL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// stubConnections answers GetConnection with a status (moto has no CodeConnections).
type stubConnections struct{ status cctypes.ConnectionStatus }

func (s stubConnections) GetConnection(_ context.Context, in *codeconnections.GetConnectionInput, _ ...func(*codeconnections.Options)) (*codeconnections.GetConnectionOutput, error) {
	return &codeconnections.GetConnectionOutput{Connection: &cctypes.Connection{ConnectionArn: in.ConnectionArn, ConnectionStatus: s.status}}, nil
}

func awsCfg(t *testing.T, profile string) aws.Config {
	t.Helper()
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(region), awsconfig.WithEC2IMDSClientEnableState(imds.ClientDisabled)}
	if profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(profile))
	}
	c, err := awsconfig.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// must is v, or a panic that fails the test when setting a scenario up failed.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("setting the scenario up: %v", err))
	}
	return v
}

// world is every prerequisite of the test config, created in moto.
type world struct {
	pipeline, staging aws.Config
	imp               map[string]string // the production environment's import fields
}

func putParameter(t *testing.T, c aws.Config, name, value string, typ ssmtypes.ParameterType) {
	t.Helper()
	must(ssm.NewFromConfig(c).PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String(name), Value: aws.String(value), Type: typ, Overwrite: aws.Bool(true),
	}))
}

func trustPolicy(account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`
}

// newWorld bootstraps both accounts (staging trusting the pipeline account), creates the
// secret parameters and production's imported network, cluster, service, load balancer and
// deploy role.
func newWorld(t *testing.T) *world {
	needMoto(t)
	ctx := context.Background()
	w := &world{pipeline: awsCfg(t, "")}
	role := must(sts.NewFromConfig(w.pipeline).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + stagingAccount + ":role/preflight"), RoleSessionName: aws.String("preflight-test"),
	})).Credentials
	profile := fmt.Sprintf("[profile staging]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n",
		aws.ToString(role.AccessKeyId), aws.ToString(role.SecretAccessKey), aws.ToString(role.SessionToken))
	if err := os.WriteFile(awsConfigFile, []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	w.staging, w.imp = awsCfg(t, "staging"), map[string]string{}
	putParameter(t, w.pipeline, BootstrapVersionParameter, "21", ssmtypes.ParameterTypeString)
	putParameter(t, w.staging, BootstrapVersionParameter, "21", ssmtypes.ParameterTypeString)
	must(iam.NewFromConfig(w.staging).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("cdk-hnb659fds-deploy-role-" + stagingAccount + "-" + region),
		AssumeRolePolicyDocument: aws.String(trustPolicy(pipelineAccount)),
	}))
	putParameter(t, w.pipeline, "/shop/npm-token", "npm-secret", ssmtypes.ParameterTypeSecureString)
	putParameter(t, w.staging, "/shop/db-password", "staging-secret", ssmtypes.ParameterTypeSecureString)
	putParameter(t, w.pipeline, "/shop/db-password", "prod-secret", ssmtypes.ParameterTypeSecureString)

	ec := ec2.NewFromConfig(w.pipeline)
	vpc := must(ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")})).Vpc
	var subnets []string
	for i, az := range []string{"us-east-1a", "us-east-1b"} {
		s := must(ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String(fmt.Sprintf("10.1.%d.0/24", i+1)), AvailabilityZone: aws.String(az)})).Subnet
		subnets = append(subnets, aws.ToString(s.SubnetId))
	}
	w.imp["vpcId"] = aws.ToString(vpc.VpcId)
	w.imp["subnetIds"] = "[" + strings.Join(subnets, ", ") + "]"

	ecsc := ecs.NewFromConfig(w.pipeline)
	cluster := must(ecsc.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("shop-prod")})).Cluster
	must(ecsc.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("shop"), ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("busybox"), Memory: aws.Int32(512)}},
	}))
	must(ecsc.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: cluster.ClusterArn, ServiceName: aws.String("shop"), TaskDefinition: aws.String("shop"), DesiredCount: aws.Int32(1),
		DeploymentController: &ecstypes.DeploymentController{Type: ecstypes.DeploymentControllerTypeCodeDeploy},
	}))
	w.imp["clusterArn"] = aws.ToString(cluster.ClusterArn)
	w.imp["serviceName"] = "shop"

	lbc := elb.NewFromConfig(w.pipeline)
	lb := must(lbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("shop-prod"), Subnets: subnets})).LoadBalancers[0]
	var tgs []string
	for _, name := range []string{"shop-blue", "shop-green"} {
		tg := must(lbc.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{
			Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(8080), VpcId: vpc.VpcId, TargetType: elbtypes.TargetTypeEnumIp,
		})).TargetGroups[0]
		tgs = append(tgs, aws.ToString(tg.TargetGroupArn))
	}
	var listeners []string
	for i, port := range []int32{80, 9000} {
		l := must(lbc.CreateListener(ctx, &elb.CreateListenerInput{
			LoadBalancerArn: lb.LoadBalancerArn, Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(port),
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tgs[i])}},
		})).Listeners[0]
		listeners = append(listeners, aws.ToString(l.ListenerArn))
	}
	w.imp["listenerArn"], w.imp["testListenerArn"] = listeners[0], listeners[1]
	w.imp["targetGroupArns"] = "[" + strings.Join(tgs, ", ") + "]"

	deployRole := must(iam.NewFromConfig(w.pipeline).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("shop-prod-existing-deploy"), AssumeRolePolicyDocument: aws.String(trustPolicy(pipelineAccount)),
	})).Role
	w.imp["deployRoleArn"] = aws.ToString(deployRole.Arn)
	return w
}

// yaml is the test config: staging created in the other account, prod imported in the
// pipeline's.
func (w *world) yaml() string {
	var imp strings.Builder
	for _, k := range []string{"vpcId", "subnetIds", "clusterArn", "serviceName", "listenerArn", "testListenerArn", "targetGroupArns", "deployRoleArn"} {
		fmt.Fprintf(&imp, "      %s: %s\n", k, w.imp[k])
	}
	return `app: shop
pipeline:
  account: "` + pipelineAccount + `"
  region: ` + region + `
source:
  owner: acme
  repo: shop
  connectionArn: ` + connectionARN + `
build:
  secrets:
    NPM_TOKEN: /shop/npm-token
service:
  secrets:
    DB_PASSWORD: /shop/db-password
environments:
  - name: staging
    account: "` + stagingAccount + `"
  - name: prod
    approval: true
    deployment:
      testTraffic:
        url: http://shop-prod.internal:9000
    import:
` + imp.String() + `notifications:
  emails: [ops@acme.example]
`
}

// preflight runs the checks of the config text and returns the exit code and the lines.
func runPreflight(t *testing.T, yaml string, connections ConnectionGetter) (int, []string) {
	t.Helper()
	cfg, err := config.Parse("delivery.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("config: %v\n%s", err, yaml)
	}
	if connections == nil {
		connections = stubConnections{cctypes.ConnectionStatusAvailable}
	}
	var out bytes.Buffer
	code := Run(context.Background(), cfg, Options{
		AccountProfiles: map[string]string{stagingAccount: "staging"},
		Connections:     func(aws.Config) ConnectionGetter { return connections },
	}, &out)
	t.Logf("exit %d:\n%s", code, out.String())
	return code, strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
}

func failLines(lines []string) []string {
	var fails []string
	for _, l := range lines {
		if strings.HasPrefix(l, "FAIL") {
			fails = append(fails, l)
		}
	}
	return fails
}

// wantFails asserts the run's exit code and its exact FAIL lines.
func wantFails(t *testing.T, code int, lines []string, want ...string) {
	t.Helper()
	got := failLines(lines)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("FAIL lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantCode := 0
	if len(want) > 0 {
		wantCode = 1
	}
	if code != wantCode {
		t.Errorf("exit code %d, want %d", code, wantCode)
	}
}

func contains2(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

func TestAllPresent(t *testing.T) {
	w := newWorld(t)
	code, lines := runPreflight(t, w.yaml(), nil)
	wantFails(t, code, lines)
	for _, want := range []string{
		"ok   cdk bootstrap 123456789012/us-east-1: version 21 (at least 6)",
		"ok   cdk bootstrap 222222222222/us-east-1: version 21 (at least 6)",
		"ok   cdk trust 222222222222/us-east-1: cdk-hnb659fds-deploy-role-222222222222-us-east-1 trusts the pipeline account 123456789012",
		"ok   source connection " + connectionARN + ": AVAILABLE",
		"ok   ssm parameter /shop/db-password (222222222222/us-east-1): SecureString, readable with decryption (read by staging DB_PASSWORD)",
		"ok   import prod: cluster " + w.imp["clusterArn"] + ": ACTIVE",
		"ok   import prod: service shop: ACTIVE, deployment controller CODE_DEPLOY (engine codedeploy)",
		"ok   s3 bucket shop-artifacts-123456789012: free",
		"ok   ecr repository shop (123456789012/us-east-1): free",
		"ok   log group /ecsdelivery/shop-staging (222222222222/us-east-1): free",
		"warn e-mail ops@acme.example: confirm the subscription of ops@acme.example to shop-staging-notifications (222222222222/us-east-1) after deploy",
	} {
		if !contains2(lines, want) {
			t.Errorf("missing line %q", want)
		}
	}
	for _, l := range lines {
		if strings.Contains(l, "secret") && !strings.Contains(l, "ssm parameter") {
			t.Errorf("a line mentions a secret value? %q", l)
		}
	}
}

func TestMissingSecretParameter(t *testing.T) {
	w := newWorld(t)
	must(ssm.NewFromConfig(w.staging).DeleteParameter(context.Background(), &ssm.DeleteParameterInput{Name: aws.String("/shop/db-password")}))
	code, lines := runPreflight(t, w.yaml(), nil)
	wantFails(t, code, lines,
		"FAIL ssm parameter /shop/db-password (222222222222/us-east-1): missing (read by staging DB_PASSWORD): aws ssm put-parameter --name /shop/db-password --type SecureString --value '…' in account 222222222222, region us-east-1")
}

func TestParameterOfAnotherType(t *testing.T) {
	w := newWorld(t)
	putParameter(t, w.pipeline, "/shop/npm-token", "plain", ssmtypes.ParameterTypeString)
	code, lines := runPreflight(t, w.yaml(), nil)
	wantFails(t, code, lines,
		"FAIL ssm parameter /shop/npm-token (123456789012/us-east-1): is a String, not a SecureString (read by build NPM_TOKEN): recreate it with aws ssm put-parameter --name /shop/npm-token --type SecureString --overwrite --value '…'")
}

func TestUnbootstrappedAccount(t *testing.T) {
	w := newWorld(t)
	must(ssm.NewFromConfig(w.staging).DeleteParameter(context.Background(), &ssm.DeleteParameterInput{Name: aws.String(BootstrapVersionParameter)}))
	code, lines := runPreflight(t, w.yaml(), nil)
	wantFails(t, code, lines,
		"FAIL cdk bootstrap 222222222222/us-east-1: not bootstrapped (no parameter /cdk-bootstrap/hnb659fds/version): run cdk bootstrap aws://222222222222/us-east-1 --trust 123456789012 --cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess")
}

func TestOldBootstrapAndNoTrust(t *testing.T) {
	w := newWorld(t)
	putParameter(t, w.staging, BootstrapVersionParameter, "5", ssmtypes.ParameterTypeString)
	must(iam.NewFromConfig(w.staging).UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
		RoleName: aws.String("cdk-hnb659fds-deploy-role-222222222222-us-east-1"), PolicyDocument: aws.String(trustPolicy(stagingAccount)),
	}))
	code, lines := runPreflight(t, w.yaml(), nil)
	cmd := "cdk bootstrap aws://222222222222/us-east-1 --trust 123456789012 --cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess"
	wantFails(t, code, lines,
		"FAIL cdk bootstrap 222222222222/us-east-1: version 5, the templates need at least 6: run "+cmd,
		"FAIL cdk trust 222222222222/us-east-1: cdk-hnb659fds-deploy-role-222222222222-us-east-1 does not trust the pipeline account 123456789012: run "+cmd)
}

func TestImportedClusterMissing(t *testing.T) {
	w := newWorld(t)
	w.imp["clusterArn"] = "arn:aws:ecs:us-east-1:123456789012:cluster/gone"
	code, lines := runPreflight(t, w.yaml(), nil)
	wantFails(t, code, lines,
		"FAIL import prod: cluster arn:aws:ecs:us-east-1:123456789012:cluster/gone: not found in 123456789012/us-east-1: correct import.clusterArn",
		"FAIL import prod: service shop: cannot be found: its cluster arn:aws:ecs:us-east-1:123456789012:cluster/gone does not exist")
}

func TestImportMismatches(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ec := ec2.NewFromConfig(w.pipeline)
	other := must(ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.2.0.0/16")})).Vpc
	stray := must(ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: other.VpcId, CidrBlock: aws.String("10.2.1.0/24")})).Subnet
	w.imp["subnetIds"] = "[" + aws.ToString(stray.SubnetId) + "]"
	w.imp["deployRoleArn"] = "arn:aws:iam::123456789012:role/nobody"
	// ECS's engine on a CODE_DEPLOY service: engine ecs needs listener rules, so the listener
	// fields give way to rules.
	yaml := strings.Replace(w.yaml(), "    deployment:\n", "    deployment:\n      engine: ecs\n", 1)
	lbc := elb.NewFromConfig(w.pipeline)
	var rules []string
	for i, l := range []string{w.imp["listenerArn"], w.imp["testListenerArn"]} {
		tgs := strings.Split(strings.Trim(w.imp["targetGroupArns"], "[]"), ", ")
		r := must(lbc.CreateRule(ctx, &elb.CreateRuleInput{
			ListenerArn: aws.String(l), Priority: aws.Int32(int32(10 + i)),
			Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{"/*"}}},
			Actions:    []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tgs[i])}},
		})).Rules[0]
		rules = append(rules, aws.ToString(r.RuleArn))
	}
	yaml = strings.Replace(yaml, "listenerArn: "+w.imp["listenerArn"], "listenerRuleArn: "+rules[0], 1)
	yaml = strings.Replace(yaml, "testListenerArn: "+w.imp["testListenerArn"], "testListenerRuleArn: "+rules[1], 1)
	code, lines := runPreflight(t, yaml, nil)
	wantFails(t, code, lines,
		"FAIL import prod: subnet "+aws.ToString(stray.SubnetId)+": is in vpc "+aws.ToString(other.VpcId)+", but import.vpcId is "+w.imp["vpcId"]+": name subnets of one VPC",
		"FAIL import prod: service shop: uses the CODE_DEPLOY deployment controller, but deployment.engine ecs needs ECS: recreate the service with deploymentController ECS, or change deployment.engine",
		"FAIL import prod: deploy role arn:aws:iam::123456789012:role/nobody: not found in account 123456789012: create it, or remove import.deployRoleArn to have the stack create one")
	for _, r := range rules {
		if !contains2(lines, "ok   import prod: listener rule "+r+": exists, on load balancer "+listenerLB(t, w, r)) {
			t.Errorf("no ok line for rule %s", r)
		}
	}
}

func listenerLB(t *testing.T, w *world, rule string) string {
	ls := must(elb.NewFromConfig(w.pipeline).DescribeListeners(context.Background(), &elb.DescribeListenersInput{ListenerArns: []string{spec.ListenerOfRule(rule)}}))
	return aws.ToString(ls.Listeners[0].LoadBalancerArn)
}

func TestNamesTaken(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	must(s3.NewFromConfig(w.pipeline, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shop-artifacts-123456789012")}))
	must(cloudwatchlogs.NewFromConfig(w.staging).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/ecsdelivery/shop-staging")}))
	code, lines := runPreflight(t, w.yaml(), nil)
	wantFails(t, code, lines,
		"FAIL s3 bucket shop-artifacts-123456789012: taken, and there is no stack shop-pipeline: delete the bucket (left by a deleted stack?), or set environmentSuffix",
		"FAIL log group /ecsdelivery/shop-staging (222222222222/us-east-1): taken, and there is no stack shop-staging: delete it (a deleted environment stack retains it): aws logs delete-log-group --log-group-name /ecsdelivery/shop-staging, or set environmentSuffix")

	// The stacks exist: the names are theirs, and the deploy is an update.
	template := aws.String(`{"Resources":{"Marker":{"Type":"AWS::CloudFormation::WaitConditionHandle"}}}`)
	must(cloudformation.NewFromConfig(w.pipeline).CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("shop-pipeline"), TemplateBody: template}))
	must(cloudformation.NewFromConfig(w.staging).CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("shop-staging"), TemplateBody: template}))
	code, lines = runPreflight(t, w.yaml(), nil)
	wantFails(t, code, lines)
	if !contains2(lines, "ok   s3 bucket shop-artifacts-123456789012: exists, in stack shop-pipeline (an update)") {
		t.Error("the bucket of an existing pipeline stack is not ok")
	}
}

func TestSecretsKeys(t *testing.T) {
	w := newWorld(t)
	key := must(kms.NewFromConfig(w.staging).CreateKey(context.Background(), &kms.CreateKeyInput{})).KeyMetadata
	missing := "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000"
	yaml := strings.Replace(w.yaml(), "  - name: staging\n    account: \"222222222222\"\n",
		"  - name: staging\n    account: \"222222222222\"\n    service:\n      secretsKeyArn: "+aws.ToString(key.Arn)+"\n", 1)
	yaml = strings.Replace(yaml, "build:\n", "build:\n  secretsKeyArn: "+missing+"\n", 1)
	code, lines := runPreflight(t, yaml, nil)
	wantFails(t, code, lines,
		"FAIL kms key "+missing+": not found in 123456789012/us-east-1 (build.secretsKeyArn): correct the ARN, or leave it out to use aws/ssm")
	if want := "ok   kms key " + aws.ToString(key.Arn) + ": Enabled (staging service.secretsKeyArn)"; !contains2(lines, want) {
		t.Errorf("missing line %q", want)
	}
}

func TestPendingConnection(t *testing.T) {
	w := newWorld(t)
	code, lines := runPreflight(t, w.yaml(), stubConnections{cctypes.ConnectionStatusPending})
	wantFails(t, code, lines,
		"FAIL source connection "+connectionARN+": PENDING: authorise it in the console (Developer Tools → Settings → Connections → Update pending connection)")
}

func TestNoCredentials(t *testing.T) {
	w := newWorld(t)
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		old := os.Getenv(k)
		os.Unsetenv(k)
		t.Cleanup(func() { os.Setenv(k, old) })
	}
	empty := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", empty)
	cfg := must(config.Parse("delivery.yaml", []byte(w.yaml())))
	var out bytes.Buffer
	start := time.Now()
	code := Run(context.Background(), cfg, Options{}, &out)
	elapsed := time.Since(start)
	t.Logf("exit %d after %s:\n%s", code, elapsed, out.String())
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	const why = "cannot reach AWS with the default credentials: no AWS credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID, run aws sso login, or pass --profile; its checks are skipped"
	wantFails(t, code, lines, "FAIL account 123456789012: "+why, "FAIL account 222222222222: "+why)
	if elapsed > 5*time.Second {
		t.Errorf("took %s, want a few seconds at most", elapsed)
	}
}

func TestTrustedPrincipals(t *testing.T) {
	for doc, want := range map[string]string{
		trustPolicy("111111111111"): "arn:aws:iam::111111111111:root",
		`{"Statement":{"Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::222222222222:root"]}}}`:                  "111111111111 arn:aws:iam::222222222222:root",
		`%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22333333333333%22%7D%7D%5D%7D`: "333333333333",
		`{"Statement":[{"Effect":"Deny","Principal":{"AWS":"1"}},{"Effect":"Allow","Principal":"*"}]}`:                            "",
	} {
		got, err := trustedPrincipals(doc)
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("trustedPrincipals(%s) = %v, %v; want %s", doc, got, err, want)
		}
	}
}

// TestUnreachableAccount: the default credentials reach the pipeline account only; the other
// account's checks are skipped with one line, and the pipeline account's still run.
func TestUnreachableAccount(t *testing.T) {
	w := newWorld(t)
	cfg := must(config.Parse("delivery.yaml", []byte(w.yaml())))
	var out bytes.Buffer
	code := Run(context.Background(), cfg, Options{Connections: func(aws.Config) ConnectionGetter { return stubConnections{cctypes.ConnectionStatusAvailable} }}, &out)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	t.Logf("exit %d:\n%s", code, out.String())
	wantFails(t, code, lines,
		"FAIL account 222222222222: the default credentials reach account 123456789012, not 222222222222; pass --account-profile 222222222222=PROFILE; its checks are skipped")
	if !contains2(lines, "ok   cdk bootstrap 123456789012/us-east-1: version 21 (at least 6)") {
		t.Error("the pipeline account's checks did not run")
	}
}

// TestAgnosticConfig: without accounts, the credentials' account is checked.
func TestAgnosticConfig(t *testing.T) {
	needMoto(t)
	code, lines := runPreflight(t, "app: demo\nsource: {owner: acme, repo: demo}\nenvironments:\n  - name: dev\n", nil)
	wantFails(t, code, lines,
		"FAIL cdk bootstrap 123456789012/us-east-1: not bootstrapped (no parameter /cdk-bootstrap/hnb659fds/version): run cdk bootstrap aws://123456789012/us-east-1")
	if !contains2(lines, "warn source connection: a connection will be created; authorise it once in the console after the first deploy") {
		t.Error("no warn about the connection to authorise")
	}
}

// A VPC quota that was read and is used up is a deploy that will fail: FAIL, not warn.
func TestVPCQuotaUsedUp(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ec := ec2.NewFromConfig(w.staging)
	used := len(must(ec.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})).Vpcs)
	for i := used; i < 5; i++ {
		must(ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(fmt.Sprintf("10.%d.0.0/16", 20+i))}))
	}
	code, lines := runPreflight(t, w.yaml(), nil)
	wantFails(t, code, lines,
		"FAIL VPCs (222222222222/us-east-1): 1 needed, 5 of 5 in use: does not fit; "+failRemedy(t, lines, "FAIL VPCs (222222222222/us-east-1): 1 needed, 5 of 5 in use: does not fit; "))
}

// failRemedy is the rest of the line that starts with prefix: the remedy's wording is the
// check's own.
func failRemedy(t *testing.T, lines []string, prefix string) string {
	t.Helper()
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimPrefix(l, prefix)
		}
	}
	t.Errorf("no line starts with %q:\n%s", prefix, strings.Join(lines, "\n"))
	return ""
}
