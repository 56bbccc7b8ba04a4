package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

// The contract's ranges, enums and patterns are defined here once. The validator checks them
// (validate.go, verify.go, engine.go) and Schema publishes them as a JSON Schema for editors,
// so the two cannot drift. What depends on another field stays with the validator; the schema
// expresses it with if/then where it can, or says so in a description.

// limit is an integer range and the unit its message names.
type limit struct {
	lo, hi int
	unit   string
}

var (
	portLimit                = limit{1, 65535, "a port"}
	desiredCountLimit        = limit{1, 1000, "a task count"}
	healthCheckIntervalLimit = limit{5, 300, "seconds"}
	healthyThresholdLimit    = limit{2, 10, "a count"}
	deregistrationLimit      = limit{0, 3600, "seconds"}
	natGatewaysLimit         = limit{0, 2, "NAT gateways"}
	target5xxLimit           = limit{1, 100000, "responses per minute"}
	unhealthyHostsLimit      = limit{1, 1000, "targets"}
	latencyP99Limit          = limit{10, 60000, "milliseconds"}
	// The test runs as a role assumed from another role, whose session AWS caps at an hour.
	testTimeoutLimit     = limit{1, 50, "minutes"}
	failureWindowLimit   = limit{1, spec.MaxChangeFailureWindowHours, "hours"}
	terminationWaitLimit = limit{0, 2880, "minutes"}
	bakeLimit            = limit{0, spec.MaxBakeMinutes, "minutes"}
	ecsBakeLimit         = limit{0, spec.MaxECSBakeMinutes, "minutes (CloudFormation's limit of ECS's bake time)"}
	expectStatusLimit    = limit{100, 599, "an HTTP status"}
	requestsLimit        = limit{1, spec.MaxTestTrafficRequests, "requests per path"}
	maxLatencyLimit      = limit{1, spec.MaxTestTrafficLatencyMilli, "milliseconds"}
)

// Lengths and counts AWS and GitHub accept.
const (
	maxFilePaths      = 8 // CodePipeline's limit of file path filters
	maxFilePathLength = 255
	maxParameterName  = 1011
	maxBootstrapImage = 255
	maxEmailLength    = 254
	targetGroupCount  = 2 // blue, then green
	maxOwnerLength    = 39
)

var (
	// parentSegment is a ".." part of a path; optionLike a value a command reads as an option.
	parentSegment = regexp.MustCompile(`(^|/)\.\.(/|$)`)
	optionLike    = regexp.MustCompile(`^-`)
	// shellCommand is any text without a NUL character.
	shellCommand = regexp.MustCompile(`^[^\x00]*$`)
	// reservedParameter is a Parameter Store name under a prefix AWS reserves.
	reservedParameter = regexp.MustCompile(`^/?([Aa][Ww][Ss]|[Ss][Ss][Mm])`)
	// notRepoNames are repository names GitHub refuses although repoPattern matches them.
	notRepoNames = []string{".", ".."}
	// productionPorts are the production listener's; the test listener needs another.
	productionPorts = []int{80, 443}
	// testTrafficSettings are the check's fields that mean nothing with the check off, and
	// integrationTestSettings the integration test's fields that mean nothing without a command.
	testTrafficSettings     = []string{"paths", "expectStatus", "requests", "maxLatencyMilliseconds", "url"}
	integrationTestSettings = []string{"timeoutMinutes", "environment", "allowGatedEnvironment", "image"}
)

// rule is what the contract says about one field beyond its Go type.
type rule struct {
	doc        string
	required   bool
	def        any
	limit      *limit
	enum       []string
	intEnum    []int
	notInts    []int
	notEnum    []string
	pattern    *regexp.Regexp
	anyPattern []*regexp.Regexp // the value matches one of these
	notPattern []*regexp.Regexp // the value matches none of these
	arn        *arnRule
	anyARN     bool // with anyPattern: or an ARN of arn
	minLength  int
	maxLength  int
	minItems   int
	maxItems   int
	unique     bool
	item       *rule          // each list item, or each map value
	key        *regexp.Regexp // each map key
	minProps   int
}

// typeDocs describe the contract's blocks.
var typeDocs = map[string]string{
	"Config":               "An ecsdelivery delivery config (contract version 1): the pipeline, the build, and the environments it deploys to in order.",
	"Pipeline":             "Where the pipeline lives (the tools account).",
	"Source":               "The GitHub repository the pipeline builds.",
	"Build":                "The Docker build with unit tests.",
	"Scan":                 "The Trivy security gate.",
	"IntegrationTest":      "Runs a command beside the new image in a temporary Fargate task.",
	"IntegrationTestImage": "The integration test's own image: another Dockerfile, a build stage, or both. Pushed by digest beside the app image, never deployed.",
	"Service":              "The application as it runs in each environment.",
	"Environment":          "One deployment target, in pipeline order.",
	"LoadBalancer":         "Shapes the load balancer an environment creates.",
	"Alarms":               "The thresholds at which a deployment rolls back.",
	"Deployment":           "How a release shifts traffic in one environment.",
	"TestTraffic":          "The check of the new tasks through the test listener.",
	"DeploymentWindow":     "When releases may enter an environment (CodePipeline's DeploymentWindow rule).",
	"Import":               "Existing infrastructure of one environment, used instead of creating it.",
	"Notifications":        "Who hears about approvals, failures, releases and alarms.",
}

// rules holds every field of the contract, by Go type and YAML name.
var rules = map[string]rule{
	"Config.version":           {doc: "Version of the contract; 1 is the only version.", def: 1, intEnum: []int{1}},
	"Config.app":               {doc: "Names stacks and resources: lowercase letters, digits and single '-', starting with a letter.", required: true, pattern: namePattern, maxLength: maxAppLength},
	"Config.environmentSuffix": {doc: "Appended to stack and resource names; the CDK context value environmentSuffix overrides it. Default: none.", pattern: suffixPattern, maxLength: maxSuffixLength},
	"Config.pipeline":          {doc: "Where the pipeline lives (the tools account)."},
	"Config.source":            {doc: "The GitHub repository the pipeline builds.", required: true},
	"Config.build":             {doc: "The Docker build with unit tests."},
	"Config.scan":              {doc: "The Trivy security gate."},
	"Config.integrationTest":   {doc: "Runs a command beside the new image in a temporary Fargate task. Default: none, no integration-test stage."},
	"Config.service":           {doc: "The settings every environment starts from."},
	"Config.environments":      {doc: "Deployment targets in pipeline order; names unique. At least one.", required: true, minItems: 1},
	"Config.notifications":     {doc: "Who hears about approvals, failures, releases and alarms."},

	"Pipeline.account": {doc: "AWS account as a quoted 12-digit string. Default: none, an environment-agnostic single-account synthesis.", pattern: accountPattern},
	"Pipeline.region":  {doc: "AWS region of the pipeline.", def: spec.DefaultRegion, enum: regionNames()},
	"Pipeline.signing": {doc: "Sign every image pushed with the AWS Signer profile \"ecsdelivery\" and verify the signature before every deploy stage.", def: true},
	"Pipeline.changeFailureWindowHours": {doc: "A deploy followed within this many hours by a rollback or a failed deploy counts as a failed change in the DORA change failure rate.",
		def: spec.DefaultChangeFailureWindowHours, limit: &failureWindowLimit},

	"Source.owner":            {doc: "The GitHub user or organisation that owns the repository.", required: true, pattern: ownerPattern, maxLength: maxOwnerLength},
	"Source.repo":             {doc: "The GitHub repository name.", required: true, pattern: repoPattern, notEnum: notRepoNames},
	"Source.branch":           {doc: "Branch whose pushes start the pipeline.", def: spec.DefaultBranch, notPattern: []*regexp.Regexp{branchBad}},
	"Source.connectionArn":    {doc: "ARN of an existing CodeConnections connection, in the pipeline account. Default: the stack creates one, authorised once in the console.", arn: &connectionRule},
	"Source.oauthTokenSecret": {doc: "Secrets Manager secret (name or ARN) holding a GitHub token, for the legacy OAuth webhook source. Excludes connectionArn and filePaths. Default: none.", anyPattern: []*regexp.Regexp{secretName}, arn: &secretRule, anyARN: true},
	"Source.filePaths":        {doc: "Glob patterns limiting which changes start the pipeline (CodeConnections only). Default: any change.", maxItems: maxFilePaths, item: &rule{minLength: 1, maxLength: maxFilePathLength}},

	"Build.dockerfile":      {doc: "Dockerfile, relative to the repository, without '..'.", def: spec.DefaultDockerfile, pattern: relativePath, notPattern: []*regexp.Regexp{parentSegment, optionLike}},
	"Build.context":         {doc: "Build context, relative to the repository, without '..'.", def: spec.DefaultContext, pattern: relativePath, notPattern: []*regexp.Regexp{parentSegment, optionLike}},
	"Build.unitTestCommand": {doc: "Shell command run beside the image build with errexit and pipefail; a failure fails the Build stage. Default: none.", pattern: shellCommand},
	"Build.computeType":     {doc: "CodeBuild compute size.", def: spec.DefaultComputeType, enum: computeTypes},
	"Build.architecture":    {doc: "CPU architecture of the image.", def: spec.DefaultArchitecture, enum: architectures},
	"Build.secrets":         {doc: "Variable names to SecureString parameter names the build reads (BuildKit secrets of the same ids). Names AWS tools, shells or the scripts read are reserved (checked by the loader). Default: none.", key: varName, item: &parameterRule},
	"Build.secretsKeyArn":   {doc: "Customer-managed KMS key that encrypts the build's secrets, in the pipeline region. Default: aws/ssm.", arn: &kmsKeyRule},
	"Build.builderImage":    {doc: "BuildKit image that builds the application, pinned by digest: [REGISTRY/]NAME[:TAG]@sha256:DIGEST.", def: spec.DefaultBuilderImage, pattern: spec.PinnedImage},

	"Scan.failOn":        {doc: "Severities that fail the scan, each once.", def: spec.DefaultFailOn(), minItems: 1, unique: true, item: &rule{enum: severities}},
	"Scan.ignoreUnfixed": {doc: "Skip findings that have no fixed version yet.", def: false},

	"IntegrationTest.command":               {doc: "Command to run in the test container, as a list of non-empty arguments. Required for any other integrationTest field.", minItems: 1, item: &rule{minLength: 1}},
	"IntegrationTest.timeoutMinutes":        {doc: "Minutes after which the task is stopped and the stage fails.", def: spec.DefaultTimeoutMinutes, limit: &testTimeoutLimit},
	"IntegrationTest.environment":           {doc: "Name of the environment whose cluster and network run the task. Default: the first environment."},
	"IntegrationTest.allowGatedEnvironment": {doc: "Let environment be one deployed only after an approval: the test then runs unapproved code there.", def: false},
	"IntegrationTest.image":                 {doc: "The test container's own image, so test tools need not ship in the production image. Default: the app image.", minProps: 1},

	"IntegrationTestImage.dockerfile": {doc: "Dockerfile, relative to the repository. Default: build.dockerfile.", pattern: relativePath, notPattern: []*regexp.Regexp{parentSegment, optionLike}},
	"IntegrationTestImage.target":     {doc: "Build stage to stop at. Default: the Dockerfile's last stage.", pattern: stageName},

	"Service.containerPort":              {doc: "Port the container listens on.", def: spec.DefaultContainerPort, limit: &portLimit},
	"Service.healthCheckPath":            {doc: "URL path (with an optional query) the load balancer checks.", def: spec.DefaultHealthCheckPath, pattern: spec.HealthCheckPath, maxLength: spec.MaxHealthCheckPath},
	"Service.cpu":                        {doc: "CPU units, a Fargate size.", def: spec.DefaultCPU, intEnum: fargateCPUs()},
	"Service.memoryMiB":                  {doc: "Memory in MiB; must be a Fargate pairing with cpu (checked by the loader; the schema bounds it by the smallest and largest size).", def: spec.DefaultMemoryMiB, limit: fargateMemoryLimit()},
	"Service.desiredCount":               {doc: "Number of tasks.", def: spec.DefaultDesiredCount, limit: &desiredCountLimit},
	"Service.environment":                {doc: "Plain variables; an environment's map adds to and overrides the shared one. Reserved names are checked by the loader.", key: varName, item: &rule{}},
	"Service.secrets":                    {doc: "Variable names to SecureString parameter names in Parameter Store; an environment's map adds to and overrides the shared one.", key: varName, item: &parameterRule},
	"Service.secretsKeyArn":              {doc: "Customer-managed KMS key that encrypts the secrets, in the environment's region. Default: aws/ssm.", arn: &kmsKeyRule},
	"Service.healthCheckIntervalSeconds": {doc: "Seconds between target health checks.", def: spec.DefaultHealthCheckInterval, limit: &healthCheckIntervalLimit},
	"Service.healthyThresholdCount":      {doc: "Passed checks before a target takes traffic.", def: spec.DefaultHealthyThreshold, limit: &healthyThresholdLimit},
	"Service.deregistrationDelaySeconds": {doc: "Seconds a leaving target keeps its connections.", def: spec.DefaultDeregistrationDelay, limit: &deregistrationLimit},
	"Service.bootstrapImage":             {doc: "Image that runs until the first deployment; it must answer the health check. Default: a busybox web server that does.", pattern: imagePattern, maxLength: maxBootstrapImage},
	"Service.logRetentionDays":           {doc: "Days the service's logs are kept, a value CloudWatch Logs offers.", def: spec.DefaultLogRetentionDays, intEnum: logRetentionDays},

	"Environment.name":         {doc: "Lowercase letters, digits and single '-', starting with a letter; unique; not containing 'pipeline' nor ending in a derived suffix.", required: true, pattern: namePattern, maxLength: maxEnvLength, notPattern: reservedNamePatterns()},
	"Environment.account":      {doc: "AWS account as a quoted 12-digit string; requires pipeline.account. Default: the pipeline account.", pattern: accountPattern},
	"Environment.region":       {doc: "AWS region; must be the pipeline region for now. Default: the pipeline region.", enum: regionNames()},
	"Environment.approval":     {doc: "Request a manual approval (SNS e-mail to notifications.emails) before deploying here.", def: false},
	"Environment.deployment":   {doc: "How a release shifts traffic in this environment."},
	"Environment.service":      {doc: "Overrides the shared service settings field by field. Default: the shared settings."},
	"Environment.natGateways":  {doc: "NAT gateways of the created VPC; with 0 the VPC gets endpoints instead. Excludes import.", def: spec.DefaultNATGateways, limit: &natGatewaysLimit},
	"Environment.loadBalancer": {doc: "Shapes the created load balancer. Excludes import."},
	"Environment.alarms":       {doc: "The thresholds that roll a deployment back."},
	"Environment.import":       {doc: "Existing infrastructure to use instead of creating it. Excludes natGateways and loadBalancer. Default: everything is created."},

	"LoadBalancer.internal":         {doc: "Keep the load balancer inside the VPC (else internet-facing).", def: false},
	"LoadBalancer.certificateArn":   {doc: "ACM certificate in the environment's account and region: the production listener becomes HTTPS on 443. Default: HTTP on 80.", arn: &certificateRule},
	"LoadBalancer.testListenerPort": {doc: "Port of the test listener, reachable from inside the VPC only; not 80 or 443.", def: spec.DefaultTestListenerPort, limit: &portLimit, notInts: productionPorts},

	"Alarms.target5xxPerMinute":     {doc: "Target 5xx responses per minute, for 2 minutes running.", def: spec.DefaultTarget5xxPerMinute, limit: &target5xxLimit},
	"Alarms.unhealthyHosts":         {doc: "Unhealthy targets in a target group, for 2 minutes running.", def: spec.DefaultUnhealthyHosts, limit: &unhealthyHostsLimit},
	"Alarms.latencyP99Milliseconds": {doc: "p99 target response time in milliseconds, for 3 minutes running.", def: spec.DefaultLatencyP99Milliseconds, limit: &latencyP99Limit},

	"Deployment.engine":                 {doc: "Who shifts the traffic: codedeploy (a CodeDeploy deployment group) or ecs (ECS's own blue/green).", def: spec.DefaultEngine, enum: spec.Engines},
	"Deployment.strategy":               {doc: "How traffic shifts: with codedeploy one of " + strings.Join(strategies, ", ") + "; with ecs also any Canary<PERCENT>Percent<MINUTES>Minutes or Linear<PERCENT>PercentEvery<MINUTES>Minutes (checked by the loader).", def: spec.DefaultStrategy},
	"Deployment.terminationWaitMinutes": {doc: "Minutes the old tasks stay after traffic moved, so a rollback is instant. codedeploy only.", def: spec.DefaultTerminationWaitMinutes, limit: &terminationWaitLimit},
	"Deployment.testTraffic":            {doc: "Requests sent to the new tasks through the test listener before production traffic moves."},
	"Deployment.window":                 {doc: "Lets releases in only at the times it names. Default: any time."},
	"Deployment.bakeMinutes":            {doc: fmt.Sprintf("Minutes the stage keeps watching the rollback alarms after the deployment: 0 to %d with codedeploy, 0 to %d with ecs (ECS's bake time).", spec.MaxBakeMinutes, spec.MaxECSBakeMinutes), def: 0, limit: &ecsBakeLimit},

	"TestTraffic.enabled":                {doc: "Run the check in every blue/green deployment; with false, no other testTraffic field.", def: true},
	"TestTraffic.paths":                  {doc: "URL paths requested, each starting with '/'. Default: [service.healthCheckPath].", minItems: 1, maxItems: spec.MaxTestTrafficPaths, item: &rule{pattern: spec.HealthCheckPath, maxLength: spec.MaxHealthCheckPath}},
	"TestTraffic.expectStatus":           {doc: "HTTP status every answer must have.", def: spec.DefaultTestTrafficStatus, limit: &expectStatusLimit},
	"TestTraffic.requests":               {doc: "Requests per path.", def: spec.DefaultTestTrafficRequests, limit: &requestsLimit},
	"TestTraffic.maxLatencyMilliseconds": {doc: "Milliseconds an answer may take. Default: alarms.latencyP99Milliseconds.", limit: &maxLatencyLimit},
	"TestTraffic.url":                    {doc: "Address of the test listener, http(s)://HOST[:PORT] (checked by the loader). Default: the created load balancer's; required with import."},

	"DeploymentWindow.cron":     {doc: "Cron expression of 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year]), '?' in one day field (checked by the loader).", required: true, minLength: 1},
	"DeploymentWindow.timezone": {doc: "IANA time zone such as Europe/Berlin, or UTC with an offset such as UTC+05:30 (checked by the loader).", def: spec.DefaultWindowTimezone},

	"Import.vpcId":               {doc: "Id of the existing VPC.", required: true, pattern: vpcIDPattern},
	"Import.subnetIds":           {doc: "Private subnets the tasks run in, each once.", required: true, minItems: 1, unique: true, item: &rule{pattern: subnetIDPattern}},
	"Import.clusterArn":          {doc: "ARN of the existing ECS cluster.", required: true, arn: &clusterRule},
	"Import.serviceName":         {doc: "Name of the existing ECS service.", required: true, pattern: serviceName},
	"Import.listenerArn":         {doc: "Production listener CodeDeploy shifts (engine codedeploy, required there).", arn: &listenerRule},
	"Import.testListenerArn":     {doc: "Test listener CodeDeploy shifts, on the same load balancer (engine codedeploy, required there).", arn: &listenerRule},
	"Import.listenerRuleArn":     {doc: "Production listener rule ECS shifts (engine ecs, required there).", arn: &listenerRuleRule},
	"Import.testListenerRuleArn": {doc: "Test listener rule ECS shifts, on the test listener of the same load balancer (engine ecs, required there).", arn: &listenerRuleRule},
	"Import.targetGroupArns":     {doc: "Exactly two target groups: blue (serving now), then green.", required: true, minItems: targetGroupCount, maxItems: targetGroupCount, unique: true, item: &rule{arn: &targetGroupRule}},
	"Import.deployRoleArn":       {doc: "Existing role the pipeline assumes. Default: the environment stack creates it.", arn: &roleRule},

	"Notifications.emails": {doc: "E-mail addresses, each once. Required when an environment has an approval.", unique: true, item: &rule{pattern: emailPattern, maxLength: maxEmailLength}},
}

// parameterRule is a SecureString parameter name.
var parameterRule = rule{pattern: parameterName, maxLength: maxParameterName, notPattern: []*regexp.Regexp{reservedParameter}}

func regionNames() []string { return slices.Sorted(maps.Keys(regions)) }

func partitions() []string {
	return slices.Compact(slices.Sorted(maps.Values(regions)))
}

func fargateCPUs() []int {
	cpus := make([]int, len(spec.FargateSizes))
	for i, f := range spec.FargateSizes {
		cpus[i] = f.CPU
	}
	return cpus
}

// fargateMemoryLimit is the loosest bound on memory: what any Fargate size accepts.
func fargateMemoryLimit() *limit {
	l := limit{lo: spec.FargateSizes[0].Min, hi: spec.FargateSizes[0].Max, unit: "MiB"}
	for _, f := range spec.FargateSizes {
		l.lo, l.hi = min(l.lo, f.Min), max(l.hi, f.Max)
	}
	return &l
}

// reservedNamePatterns match the environment names reservedName refuses.
func reservedNamePatterns() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`(^|-)pipeline(-|$)`),
		regexp.MustCompile(`.-(` + strings.Join(reservedEndings, "|") + `)$`),
	}
}

// pattern is the whole ARN the rule accepts, in any region of its partition list: the account,
// region and partition a field's neighbours fix are the loader's to check.
func (r arnRule) pattern() string {
	region := "(" + strings.Join(regionNames(), "|") + ")"
	if r.global {
		region = ""
	}
	return "^arn:(" + strings.Join(partitions(), "|") + "):(" + strings.Join(r.services, "|") + "):" + region + ":" +
		unanchored(accountPattern) + ":" + unanchored(r.resource) + "$"
}

func unanchored(re *regexp.Regexp) string {
	return "(" + strings.TrimSuffix(strings.TrimPrefix(re.String(), "^"), "$") + ")"
}

// SchemaID is where the published schema lives.
const SchemaID = "https://raw.githubusercontent.com/ecsdelivery/ecsdelivery/main/schema/delivery.schema.json"

// Schema returns the JSON Schema (draft 2020-12) of the delivery config, generated from the
// Config types and the rules the loader validates with. The loader stays the authority: the
// schema says what an editor can check as you type, and a few checks across fields only the
// loader makes.
func Schema() ([]byte, error) {
	root, err := structSchema(reflect.TypeOf(Config{}), false)
	if err != nil {
		return nil, err
	}
	head := object{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id", SchemaID},
		{"title", "ecsdelivery delivery config"},
		{"description", typeDocs["Config"] + " Generated from package config; `ecsdelivery` (config.Load) is the authority and checks more across fields."},
	}
	root = append(head, root[1:]...) // root[0] is its own description
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// object is a JSON object that keeps its keys in order.
type object []member

type member struct {
	key   string
	value any
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		var v bytes.Buffer
		enc := json.NewEncoder(&v)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m.value); err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(bytes.TrimSuffix(v.Bytes(), []byte("\n")))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// structSchema is a struct's schema; inherit drops defaults, for an environment's service
// override, whose fields default to the shared service's.
func structSchema(t reflect.Type, inherit bool) (object, error) {
	doc, ok := typeDocs[t.Name()]
	if !ok {
		return nil, fmt.Errorf("config: no description of type %s", t.Name())
	}
	props := object{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		name := yamlName(t.Field(i))
		if name == "" {
			continue
		}
		key := t.Name() + "." + name
		r, ok := rules[key]
		if !ok || r.doc == "" {
			return nil, fmt.Errorf("config: no rule with a description for %s", key)
		}
		if inherit {
			r.def = nil
		}
		s, err := fieldSchema(t.Field(i).Type, r, key == "Environment.service")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		props = append(props, member{name, s})
		if r.required {
			required = append(required, name)
		}
	}
	s := object{{"description", doc}, {"type", "object"}, {"properties", props}, {"additionalProperties", false}}
	if len(required) > 0 {
		s = append(s, member{"required", required})
	}
	if conds := conditions[t.Name()]; conds != nil {
		s = append(s, member{"allOf", conds()})
	}
	return s, nil
}

func fieldSchema(t reflect.Type, r rule, inherit bool) (object, error) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var s object
	if t.Kind() == reflect.Struct {
		var err error
		if s, err = structSchema(t, inherit); err != nil {
			return nil, err
		}
		if r.doc != "" {
			s[0].value = r.doc // the field's words, which say more than the type's
		}
	} else {
		s = object{{"description", r.doc}}
		if r.doc == "" {
			s = object{}
		}
	}
	switch t.Kind() {
	case reflect.Struct:
		if r.minProps > 0 {
			s = append(s, member{"minProperties", r.minProps})
		}
	case reflect.String:
		s = append(s, stringSchema(r)...)
	case reflect.Int:
		s = append(s, member{"type", "integer"})
		if r.limit != nil {
			s = append(s, member{"minimum", r.limit.lo}, member{"maximum", r.limit.hi})
		}
		if r.intEnum != nil {
			s = append(s, member{"enum", r.intEnum})
		}
		if r.notInts != nil {
			s = append(s, member{"not", object{{"enum", r.notInts}}})
		}
	case reflect.Bool:
		s = append(s, member{"type", "boolean"})
	case reflect.Slice:
		s = append(s, member{"type", "array"})
		item := rule{}
		if r.item != nil {
			item = *r.item
		}
		is, err := fieldSchema(t.Elem(), item, false)
		if err != nil {
			return nil, err
		}
		s = append(s, member{"items", is})
		if r.minItems > 0 {
			s = append(s, member{"minItems", r.minItems})
		}
		if r.maxItems > 0 {
			s = append(s, member{"maxItems", r.maxItems})
		}
		if r.unique {
			s = append(s, member{"uniqueItems", true})
		}
	case reflect.Map:
		if t.Key().Kind() != reflect.String || t.Elem().Kind() != reflect.String {
			return nil, fmt.Errorf("unsupported map %s", t)
		}
		s = append(s, member{"type", "object"})
		if r.key != nil {
			s = append(s, member{"propertyNames", object{{"pattern", r.key.String()}}})
		}
		item := rule{}
		if r.item != nil {
			item = *r.item
		}
		value := append(object{}, stringSchema(item)...)
		if item.pattern == nil && item.arn == nil && item.enum == nil {
			// The loader reads any scalar as its text: PORT: 8080 and DEBUG: true are variables.
			value = object{{"anyOf", []object{value, {{"type", "number"}}, {{"type", "boolean"}}}}}
		}
		s = append(s, member{"additionalProperties", value})
	default:
		return nil, fmt.Errorf("unsupported kind %s", t.Kind())
	}
	if r.def != nil {
		s = append(s, member{"default", r.def})
	}
	return s, nil
}

func stringSchema(r rule) object {
	s := object{{"type", "string"}}
	if r.minLength > 0 {
		s = append(s, member{"minLength", r.minLength})
	}
	maxLength := maxStringBytes // the decoder's bound on every value
	if r.maxLength > 0 {
		maxLength = min(maxLength, r.maxLength)
	}
	s = append(s, member{"maxLength", maxLength})
	if r.enum != nil {
		s = append(s, member{"enum", r.enum})
	}
	if r.notEnum != nil {
		s = append(s, member{"not", object{{"enum", r.notEnum}}})
	}
	switch {
	case r.anyARN:
		var alts []object
		for _, p := range r.anyPattern {
			alts = append(alts, object{{"pattern", p.String()}})
		}
		s = append(s, member{"anyOf", append(alts, object{{"pattern", r.arn.pattern()}})})
	case r.arn != nil:
		s = append(s, member{"pattern", r.arn.pattern()})
	case r.pattern != nil:
		s = append(s, member{"pattern", r.pattern.String()})
	}
	if len(r.notPattern) == 1 {
		s = append(s, member{"not", object{{"pattern", r.notPattern[0].String()}}})
	} else if len(r.notPattern) > 1 {
		var alts []object
		for _, p := range r.notPattern {
			alts = append(alts, object{{"pattern", p.String()}})
		}
		s = append(s, member{"not", object{{"anyOf", alts}}})
	}
	return s
}

// conditions are the rules across fields a JSON Schema can express, by the type they sit in.
var conditions = map[string]func() []object{
	"Config": func() []object {
		approval := object{{"properties", object{{"approval", object{{"const", true}}}}}, {"required", []string{"approval"}}}
		return []object{
			{ // an approval request goes to notifications.emails
				{"if", object{{"required", []string{"environments"}}, {"properties", object{{"environments", object{{"contains", approval}}}}}}},
				{"then", object{{"required", []string{"notifications"}}, {"properties", object{{"notifications", object{
					{"required", []string{"emails"}}, {"properties", object{{"emails", object{{"minItems", 1}}}}},
				}}}}}},
			},
			{ // an environment's deploy role trusts the pipeline account, which must be named
				{"if", object{{"not", object{{"required", []string{"pipeline"}}, {"properties", object{{"pipeline", object{{"required", []string{"account"}}}}}}}}}},
				{"then", object{{"properties", object{{"environments", object{{"items", object{{"properties", falseFor([]string{"account"})}}}}}}}}},
			},
		}
	},
	"Source": func() []object {
		return []object{
			{{"not", object{{"required", []string{"connectionArn", "oauthTokenSecret"}}}}},
			{
				{"if", object{{"required", []string{"oauthTokenSecret"}}}},
				{"then", object{{"properties", object{{"filePaths", object{{"maxItems", 0}}}}}}},
			},
		}
	},
	"IntegrationTest": func() []object {
		return []object{{
			{"if", object{{"not", object{{"required", []string{"command"}}}}}},
			{"then", object{{"properties", falseFor(integrationTestSettings)}}},
		}}
	},
	"TestTraffic": func() []object {
		return []object{{
			{"if", object{{"required", []string{"enabled"}}, {"properties", object{{"enabled", object{{"const", false}}}}}}},
			{"then", object{{"properties", falseFor(testTrafficSettings)}}},
		}}
	},
	"Environment": func() []object {
		ecs := object{
			{"required", []string{"deployment"}},
			{"properties", object{{"deployment", object{
				{"required", []string{"engine"}},
				{"properties", object{{"engine", object{{"const", spec.EngineECS}}}}},
			}}}},
		}
		return []object{
			{
				{"if", ecs},
				{"then", object{{"properties", object{
					{"deployment", object{{"properties", object{{"terminationWaitMinutes", false}}}}},
					{"import", object{
						{"required", []string{"listenerRuleArn", "testListenerRuleArn"}},
						{"properties", falseFor([]string{"listenerArn", "testListenerArn"})},
					}},
				}}}},
				{"else", object{{"properties", object{
					{"deployment", object{{"properties", object{
						{"strategy", object{{"enum", strategies}}},
						{"bakeMinutes", object{{"minimum", bakeLimit.lo}, {"maximum", bakeLimit.hi}}},
					}}}},
					{"import", object{
						{"required", []string{"listenerArn", "testListenerArn"}},
						{"properties", falseFor([]string{"listenerRuleArn", "testListenerRuleArn"})},
					}},
				}}}},
			},
			{
				{"if", object{{"required", []string{"import"}}}},
				{"then", object{{"properties", falseFor([]string{"natGateways", "loadBalancer"})}}},
			},
			{ // without NAT, the check in the private subnets reaches only an internal load balancer
				{"if", object{
					{"required", []string{"natGateways"}},
					{"properties", object{{"natGateways", object{{"const", 0}}}}},
					{"not", object{{"anyOf", []object{
						{{"required", []string{"import"}}},
						{{"required", []string{"loadBalancer"}}, {"properties", object{{"loadBalancer", object{
							{"required", []string{"internal"}}, {"properties", object{{"internal", object{{"const", true}}}}},
						}}}}},
					}}}},
				}},
				{"then", object{{"required", []string{"deployment"}}, {"properties", object{{"deployment", object{
					{"required", []string{"testTraffic"}}, {"properties", object{{"testTraffic", object{
						{"required", []string{"enabled"}}, {"properties", object{{"enabled", object{{"const", false}}}}},
					}}}},
				}}}}}},
			},
		}
	},
}

func falseFor(fields []string) object {
	o := object{}
	for _, f := range fields {
		o = append(o, member{f, false})
	}
	return o
}
