package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

// Name limits keep derived names inside AWS limits: "<app>-<environment>-<suffix>-execution"
// must fit an IAM role name (64 characters), "<app>-<suffix>-artifacts-<account>" an S3 bucket
// name (63).
const (
	maxAppLength    = 28
	maxEnvLength    = 12
	maxSuffixLength = 11
)

var (
	namePattern      = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	suffixPattern    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	ownerPattern     = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`)
	repoPattern      = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
	branchBad        = regexp.MustCompile(`[\x00-\x20~^:?*\[\\\x7f]|\.\.|@\{|//|/\.|^[/.-]|[/.]$|\.lock$|\.lock/|^@$`)
	secretName       = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]{1,512}$`)
	varName          = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	parameterName    = regexp.MustCompile(`^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$`)
	vpcIDPattern     = regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`)
	subnetIDPattern  = regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)
	serviceName      = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	emailPattern     = regexp.MustCompile(`^[A-Za-z0-9.!#$%&'*+/=?^_{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$`)
	relativePath     = regexp.MustCompile(`^[^/\x00-\x1f][^\x00-\x1f]*$`)
	imagePattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9._/:-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$`)
	logRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
	computeTypes     = spec.ComputeTypeNames()
	architectures    = spec.Architectures
	severities       = []string{"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
	strategies       = spec.StrategyNames()
)

// validator reports semantic problems at the position the decoder recorded for each path.
type validator struct {
	d        *decoder
	problems Problems
	hidden   int // problems past maxProblems, counted but not kept
}

// at finds where to point for path: its value, else its key, else the nearest enclosing value.
func (v *validator) at(path string) *yaml.Node {
	for p := path; ; {
		if n, ok := v.d.values[p]; ok {
			return n
		}
		if n, ok := v.d.keys[p]; ok {
			return n
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			return v.d.values[""]
		}
		p = p[:i]
	}
}

func (v *validator) add(path, format string, args ...any) {
	v.addAt(v.at(path), path, format, args...)
}

// addKey reports a problem with a map key itself (a variable's name), so it points at the key
// rather than at the key's value.
func (v *validator) addKey(path, format string, args ...any) {
	n, ok := v.d.keys[path]
	if !ok {
		n = v.at(path)
	}
	v.addAt(n, path, format, args...)
}

func (v *validator) addAt(n *yaml.Node, path, format string, args ...any) {
	if v.decodeProblem(path) {
		return // the decoder already said what is wrong here
	}
	if len(v.problems) >= maxProblems {
		v.hidden++
		return
	}
	p := Problem{File: v.d.file, Path: path, Message: fmt.Sprintf(format, shorten(args)...)}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	v.problems = append(v.problems, p)
}

// decodeProblem reports whether the decoder found a problem at path or at a field enclosing it.
func (v *validator) decodeProblem(path string) bool {
	for p := path; p != ""; {
		if v.d.problemPaths[p] {
			return true
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return false
}

// usable reports whether a field other checks depend on holds a value without problems, so
// a mistake there does not also produce contradicting problems elsewhere.
func (v *validator) usable(path string) bool {
	if v.decodeProblem(path) {
		return false
	}
	for _, p := range v.problems {
		if p.Path == path {
			return false
		}
	}
	return true
}

// given reports whether the file set path, even to an empty value (defaults are not "given").
func (v *validator) given(path string) bool {
	if _, ok := v.d.values[path]; ok {
		return true
	}
	_, ok := v.d.keys[path]
	return ok
}

// ours is text this package writes, such as the list of a block's field names: quoted in full,
// unlike what a file holds.
type ours string

// shorten cuts what a file holds, which can be of any length, to a readable size.
func shorten(args []any) []any {
	const max = 200
	out := make([]any, len(args))
	for i, a := range args {
		if s, ok := a.(string); ok && len(s) > max {
			a = s[:max-1] + "…"
		}
		out[i] = a
	}
	return out
}

func (v *validator) require(path, value, what string) bool {
	if value == "" {
		v.add(path, "required; expected %s", what)
		return false
	}
	return true
}

func (v *validator) oneOf(path, value string, allowed []string) {
	if !contains(allowed, value) {
		v.add(path, "%q is not allowed; expected one of %s", value, strings.Join(allowed, ", "))
	}
}

// in checks value against a limit the schema publishes too.
func (v *validator) in(path string, value int, l limit) {
	v.between(path, value, l.lo, l.hi, l.unit)
}

func (v *validator) between(path string, value, lo, hi int, unit string) {
	if value < lo || value > hi {
		v.add(path, "%d is out of range; expected %s from %d to %d", value, unit, lo, hi)
	}
}

func (v *validator) name(path, value string, max int, what string) {
	switch {
	case !namePattern.MatchString(value):
		v.add(path, "%q is not a valid %s; expected lowercase letters, digits and single '-', starting with a letter", value, what)
	case len(value) > max:
		v.add(path, "%q is %d characters; expected at most %d, since it becomes part of AWS resource names", value, len(value), max)
	}
}

func validate(c *Config, d *decoder) Problems {
	v := &validator{d: d}
	if c.Version != 1 {
		v.add("version", "%d is not supported; expected 1", c.Version)
	}
	if v.require("app", c.App, "the application name, such as orders-api") {
		v.name("app", c.App, maxAppLength, "app name")
	}
	if msg := CheckSuffix(c.EnvironmentSuffix); msg != "" {
		v.add("environmentSuffix", "%s", msg)
	}
	v.pipeline(c)
	v.source(c)
	v.build(c)
	v.scan(c)
	v.integrationTest(c)
	v.service("service", c.Service, nil)
	v.environments(c)
	v.notifications(c)
	v.d.hidden += v.hidden
	return v.problems
}

// where is the account and region an ARN must sit in, taken only from fields that are valid:
// a mistake in pipeline.region must not make every correct ARN look wrong as well.
func (v *validator) where(account, region, accountPath, regionPath, owner string) where {
	w := where{owner: owner}
	if checkAccount(account) == "" && v.usable(accountPath) {
		w.account = account
	}
	if _, ok := regions[region]; ok && (regionPath == "" || v.usable(regionPath)) {
		w.region = region
	}
	return w
}

// CheckSuffix says what is wrong with an environment suffix, or "" when it is valid (or empty).
// The CDK context can override the file's suffix, so the app checks that one too.
func CheckSuffix(s string) string {
	if s == "" || (suffixPattern.MatchString(s) && len(s) <= maxSuffixLength) {
		return ""
	}
	return fmt.Sprintf("%q is not a valid suffix; expected up to %d lowercase letters, digits and single '-'", s, maxSuffixLength)
}

func (v *validator) pipeline(c *Config) {
	if c.Pipeline.Account != "" {
		if msg := checkAccount(c.Pipeline.Account); msg != "" {
			v.add("pipeline.account", "%s", msg)
		}
	}
	if msg := checkRegion(c.Pipeline.Region); msg != "" {
		v.add("pipeline.region", "%s", msg)
	}
	v.in("pipeline.changeFailureWindowHours", c.Pipeline.ChangeFailureWindowHours, failureWindowLimit)
}

func (v *validator) source(c *Config) {
	s := c.Source
	if v.require("source.owner", s.Owner, "the GitHub user or organisation that owns the repository") && !ownerPattern.MatchString(s.Owner) {
		v.add("source.owner", "%q is not a GitHub owner; expected up to 39 letters, digits and '-'", s.Owner)
	}
	if v.require("source.repo", s.Repo, "the GitHub repository name") && (!repoPattern.MatchString(s.Repo) || contains(notRepoNames, s.Repo)) {
		v.add("source.repo", "%q is not a GitHub repository name; expected letters, digits, '.', '_' and '-'", s.Repo)
	}
	if branchBad.MatchString(s.Branch) {
		v.add("source.branch", "%q is not a valid git branch name; expected a name such as main or release/1.2, without spaces, '..', any of ~^:?*[\\, or a part starting with '.'", s.Branch)
	}
	if s.ConnectionARN != "" && s.OAuthTokenSecret != "" {
		v.add("source.oauthTokenSecret", "cannot be used with source.connectionArn; expected one source: a CodeConnections connection or the legacy OAuth token")
	}
	if s.ConnectionARN != "" {
		if msg := checkARN(s.ConnectionARN, connectionRule, v.where(c.Pipeline.Account, "", "pipeline.account", "", "pipeline.account")); msg != "" {
			v.add("source.connectionArn", "%s", msg)
		}
	}
	if t := s.OAuthTokenSecret; t != "" {
		if strings.HasPrefix(t, "arn:") {
			if msg := checkARN(t, secretRule, v.where(c.Pipeline.Account, c.Pipeline.Region, "pipeline.account", "pipeline.region", "the pipeline")); msg != "" {
				v.add("source.oauthTokenSecret", "%s", msg)
			}
		} else if !secretName.MatchString(t) {
			v.add("source.oauthTokenSecret", "%q is not a Secrets Manager secret name; expected letters, digits and /_+=.@-", t)
		}
	}
	if s.OAuthTokenSecret != "" && len(s.FilePaths) > 0 {
		v.add("source.filePaths", "cannot be used with source.oauthTokenSecret: the legacy OAuth webhook filters by branch only; expected a CodeConnections source (connectionArn, or none to create one) to filter by path")
	}
	if len(s.FilePaths) > maxFilePaths {
		v.add("source.filePaths", "%d patterns given; CodePipeline accepts at most %d", len(s.FilePaths), maxFilePaths)
	}
	for i, p := range s.FilePaths {
		if strings.TrimSpace(p) == "" || len(p) > maxFilePathLength {
			v.add(fmt.Sprintf("source.filePaths[%d]", i), "expected a non-empty glob pattern of at most %d characters", maxFilePathLength)
		}
	}
}

func (v *validator) build(c *Config) {
	b := c.Build
	for _, f := range []struct{ path, value string }{{"build.dockerfile", b.Dockerfile}, {"build.context", b.Context}} {
		switch {
		case !relativePath.MatchString(f.value) || parentSegment.MatchString(f.value):
			v.add(f.path, "%q is not a path inside the repository; expected a relative path without '..'", f.value)
		case optionLike.MatchString(f.value):
			// The build passes both to docker as arguments, where a leading '-' is an option.
			v.add(f.path, "%q would be read as an option; expected a path that does not start with '-'", f.value)
		}
	}
	switch img := b.BuilderImage; {
	case spec.PinnedImage.MatchString(img):
	case spec.UnpinnedImage.MatchString(img):
		v.add("build.builderImage", "%q is not pinned by digest; expected NAME[:TAG]@sha256:DIGEST (see the README on mirroring the builder)", img)
	default:
		v.add("build.builderImage", "%q is not an image reference; expected NAME[:TAG]@sha256:DIGEST with 64 lowercase hex digits (see the README on mirroring the builder)", img)
	}
	if !shellCommand.MatchString(b.UnitTestCommand) {
		v.add("build.unitTestCommand", "holds a NUL character; expected a shell command")
	}
	for _, k := range slices.Sorted(maps.Keys(b.Secrets)) {
		v.secret("build.secrets."+k, k, b.Secrets[k])
	}
	if b.SecretsKeyARN != "" {
		if msg := checkARN(b.SecretsKeyARN, kmsKeyRule, v.where("", c.Pipeline.Region, "", "pipeline.region", "the pipeline")); msg != "" {
			v.add("build.secretsKeyArn", "%s", msg)
		}
	}
	v.oneOf("build.computeType", b.ComputeType, computeTypes)
	v.oneOf("build.architecture", b.Architecture, architectures)
}

func (v *validator) scan(c *Config) {
	if len(c.Scan.FailOn) == 0 {
		v.add("scan.failOn", "empty; expected at least one severity (%s), or the scan could never fail", strings.Join(severities, ", "))
	}
	seen := map[string]bool{}
	for i, s := range c.Scan.FailOn {
		path := fmt.Sprintf("scan.failOn[%d]", i)
		switch {
		case !contains(severities, s):
			v.add(path, "%q is not a severity; expected one of %s", s, strings.Join(severities, ", "))
		case seen[s]:
			v.add(path, "%q is listed twice; expected each severity once", s)
		}
		seen[s] = true
	}
}

// stageName is a Dockerfile build stage's name as BuildKit accepts it.
var stageName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// testImage checks the integration test's own image: at least one of its fields, a Dockerfile
// inside the repository that the build cannot read as an option, a stage name.
func (v *validator) testImage(img *IntegrationTestImage) {
	if img == nil {
		return
	}
	// Dockerfile holds its default by now: ask what the file gave.
	if !v.given("integrationTest.image.dockerfile") && !v.given("integrationTest.image.target") && v.usable("integrationTest.image") {
		v.add("integrationTest.image", "empty; expected dockerfile, target or both")
	}
	if f := img.Dockerfile; f != "" {
		switch {
		case !relativePath.MatchString(f) || parentSegment.MatchString(f):
			v.add("integrationTest.image.dockerfile", "%q is not a path inside the repository; expected a relative path without '..'", f)
		case optionLike.MatchString(f):
			v.add("integrationTest.image.dockerfile", "%q would be read as an option; expected a path that does not start with '-'", f)
		}
	}
	if t := img.Target; t != "" && !stageName.MatchString(t) {
		v.add("integrationTest.image.target", "%q is not a build stage name; expected letters, digits, '_', '.' and '-', starting with a letter or digit", t)
	}
}

func (v *validator) integrationTest(c *Config) {
	t := c.IntegrationTest
	if v.given("integrationTest.command") && len(t.Command) == 0 {
		v.add("integrationTest.command", "empty; expected the command as a list, such as [\"npm\", \"run\", \"test:integration\"], or no integrationTest block")
	}
	for i, arg := range t.Command {
		if arg == "" {
			v.add(fmt.Sprintf("integrationTest.command[%d]", i), "empty argument; expected a non-empty string")
		}
	}
	if !c.IntegrationTestEnabled() && v.usable("integrationTest.command") {
		for _, f := range integrationTestSettings {
			if v.given("integrationTest." + f) {
				v.add("integrationTest."+f, "set, but integrationTest.command is not; expected a command to run, or no integrationTest block")
			}
		}
		return
	}
	v.in("integrationTest.timeoutMinutes", t.TimeoutMinutes, testTimeoutLimit)
	v.testImage(t.Image)
	if v.given("integrationTest.environment") && !hasEnvironment(c, t.Environment) {
		v.add("integrationTest.environment", "%q is not a defined environment; expected one of %s", t.Environment, strings.Join(environmentNames(c), ", "))
	} else if !t.AllowGatedEnvironment && t.Environment != "" {
		v.gatedTest(c)
	}
}

// gatedTest reports an integration test in an environment that only approved releases reach.
// The IntegrationTest stage runs before every approval, so its task would run the new image
// inside that environment, with its network, task role and secrets, before anyone approved it.
func (v *validator) gatedTest(c *Config) {
	approval := -1
	for i, e := range c.Environments {
		if e.Approval && approval < 0 {
			approval = i
		}
		if e.Name == c.IntegrationTest.Environment {
			if approval >= 0 {
				// Reported at integrationTest.environment, or at the block when it was defaulted.
				v.add("integrationTest.environment", "%q is deployed only after an approval (environments[%d].approval); "+
					"the test task would run unapproved code in its network with its task role and secrets; "+
					"expected an environment before the first approval, or integrationTest.allowGatedEnvironment: true",
					e.Name, approval)
			}
			return
		}
	}
}

// secretsKeyRegion checks that an environment's secrets key sits in its region: SSM decrypts
// with a key of its own region only.
func (v *validator) secretsKeyRegion(p string, e *Environment) {
	path := p + ".service.secretsKeyArn"
	if !v.given(path) {
		path = "service.secretsKeyArn"
	}
	a, ok := parseARN(e.Service.SecretsKeyARN)
	if !ok || checkARN(e.Service.SecretsKeyARN, kmsKeyRule, where{}) != "" || !v.usable(p+".region") {
		return
	}
	if _, known := regions[e.Region]; known && a.region != e.Region {
		v.add(path, "%q is in region %s; expected a key in %s, the region of environment %s", e.Service.SecretsKeyARN, a.region, e.Region, e.Name)
	}
}

// service checks one service block. For an environment's override, given lists the paths
// set there, so a shared mistake is reported once, at the shared field.
func (v *validator) service(prefix string, s Service, env *int) {
	check := func(field string) bool {
		return env == nil || v.given(prefix+"."+field)
	}
	if check("containerPort") {
		v.in(prefix+".containerPort", s.ContainerPort, portLimit)
	}
	if check("healthCheckPath") {
		switch hp := s.HealthCheckPath; {
		case len(hp) > spec.MaxHealthCheckPath:
			v.add(prefix+".healthCheckPath", "%q is %d characters; expected a URL path of at most %d", hp, len(hp), spec.MaxHealthCheckPath)
		case !spec.HealthCheckPath.MatchString(hp):
			v.add(prefix+".healthCheckPath", "%q is not a URL path; expected /PATH with letters, digits and . _ ~ %% / : @ + , = - and an optional ?QUERY", hp)
		}
	}
	if check("desiredCount") {
		v.in(prefix+".desiredCount", s.DesiredCount, desiredCountLimit)
	}
	if check("healthCheckIntervalSeconds") {
		v.in(prefix+".healthCheckIntervalSeconds", s.HealthCheckIntervalSeconds, healthCheckIntervalLimit)
	}
	if check("healthyThresholdCount") {
		v.in(prefix+".healthyThresholdCount", s.HealthyThresholdCount, healthyThresholdLimit)
	}
	if check("deregistrationDelaySeconds") {
		v.in(prefix+".deregistrationDelaySeconds", s.DeregistrationDelaySeconds, deregistrationLimit)
	}
	if check("bootstrapImage") && s.BootstrapImage != "" && (!imagePattern.MatchString(s.BootstrapImage) || len(s.BootstrapImage) > maxBootstrapImage) {
		v.add(prefix+".bootstrapImage", "%q is not an image reference; expected a name such as public.ecr.aws/nginx/nginx:stable", s.BootstrapImage)
	}
	if check("logRetentionDays") && !containsInt(logRetentionDays, s.LogRetentionDays) {
		v.add(prefix+".logRetentionDays", "%d is not a retention CloudWatch Logs offers; expected one of %s", s.LogRetentionDays, joinInts(logRetentionDays))
	}
	if check("cpu") || check("memoryMiB") {
		v.fargateSize(prefix, s, func(f string) bool { return v.given(prefix + "." + f) })
	}
	for _, k := range slices.Sorted(maps.Keys(s.Environment)) {
		if check("environment." + k) {
			if !varName.MatchString(k) {
				v.add(prefix+".environment."+k, "%q is not a variable name; expected letters, digits and '_', not starting with a digit", k)
			} else {
				v.reservedVariable(prefix+".environment."+k, k)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Secrets)) {
		if check("secrets." + k) {
			v.secret(prefix+".secrets."+k, k, s.Secrets[k])
		}
	}
	if check("secretsKeyArn") && s.SecretsKeyARN != "" {
		// The region is checked per environment, where it is known.
		if msg := checkARN(s.SecretsKeyARN, kmsKeyRule, where{}); msg != "" {
			v.add(prefix+".secretsKeyArn", "%s", msg)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Secrets)) {
		if _, reserved := spec.ReservedVariable(k); reserved || !varName.MatchString(k) {
			continue // the name itself is reported already
		}
		if _, clash := s.Environment[k]; clash && (check("secrets."+k) || check("environment."+k)) {
			path := prefix + ".secrets." + k
			if !check("secrets." + k) {
				path = prefix + ".environment." + k
			}
			v.add(path, "%s is both a plain variable and a secret; expected each name once", k)
		}
	}
}

// secret checks one variable → SecureString parameter pair: the name, at the key, and the
// parameter, at the value.
func (v *validator) secret(path, variable, name string) {
	if !varName.MatchString(variable) {
		v.add(path, "%q is not a variable name; expected letters, digits and '_', not starting with a digit", variable)
		return
	}
	v.reservedVariable(path, variable)
	switch {
	case !parameterName.MatchString(name) || len(name) > maxParameterName:
		v.add(path, "%q is not a Parameter Store name; expected a name such as /orders/db-password", name)
	case reservedParameter.MatchString(name):
		v.add(path, "%q starts with a prefix Parameter Store reserves (aws, ssm); expected your own parameter name", name)
	}
}

// reservedVariable reports, at its key, a variable name that would shadow an input of the
// pipeline's scripts or something a shell, a runtime or an AWS tool reads: a build secret is a
// variable of the shell running the build scripts, and a service variable sits beside what ECS
// gives the container (spec.ReservedVariable lists them).
func (v *validator) reservedVariable(path, name string) {
	why, reserved := spec.ReservedVariable(name)
	if !reserved {
		return
	}
	expected := ours("another name")
	if prefix := spec.ReservedPrefix(name); prefix != "" {
		expected = ours("a name that does not start with " + prefix)
	}
	v.addKey(path, "%q is reserved (%s); expected %s", name, ours(why), expected)
}

func (v *validator) fargateSize(prefix string, s Service, given func(string) bool) {
	size, ok := spec.FargateCPU(s.CPU)
	if !ok {
		if given("cpu") || prefix == "service" {
			v.add(prefix+".cpu", "%d is not a Fargate CPU size; expected 256, 512, 1024, 2048, 4096, 8192 or 16384", s.CPU)
		}
		return // a shared cpu is reported once, at service.cpu
	}
	if !size.Fits(s.MemoryMiB) {
		path := prefix + ".memoryMiB" // where the mismatch was written: memory if given, else cpu
		if !given("memoryMiB") {
			path = prefix + ".cpu"
		}
		v.add(path, "memoryMiB %d does not fit cpu %d on Fargate; expected %s", s.MemoryMiB, s.CPU, size)
	}
}

func (v *validator) environments(c *Config) {
	if len(c.Environments) == 0 {
		v.add("environments", "required; expected at least one environment, such as [{name: staging}]")
		return
	}
	seen := map[string]int{}
	for i := range c.Environments {
		e := &c.Environments[i]
		p := fmt.Sprintf("environments[%d]", i)
		if v.require(p+".name", e.Name, "a name such as staging or production") {
			v.name(p+".name", e.Name, maxEnvLength, "environment name")
			if msg := reservedName(e.Name); msg != "" {
				v.add(p+".name", "%q %s; expected another name", e.Name, msg)
			}
			if first, dup := seen[e.Name]; dup {
				v.add(p+".name", "%q is already the name of environments[%d]; expected unique names", e.Name, first)
			} else {
				seen[e.Name] = i
			}
		}
		if v.given(p + ".account") {
			if msg := checkAccount(e.Account); msg != "" {
				v.add(p+".account", "%s", msg)
			} else if c.Agnostic() && v.usable("pipeline.account") {
				v.add(p+".account", "set, but pipeline.account is not; expected pipeline.account too, since this environment's deploy role must trust the pipeline account")
			}
		}
		if v.given(p + ".region") {
			if msg := checkRegion(e.Region); msg != "" {
				v.add(p+".region", "%s", msg)
			} else if pe, pp := regions[e.Region], regions[c.Pipeline.Region]; pp != "" && pe != pp {
				v.add(p+".region", "%q is in partition %s but the pipeline region %s is in %s; expected a region of the pipeline's partition", e.Region, pe, c.Pipeline.Region, pp)
			} else if pp != "" && e.Region != c.Pipeline.Region && v.usable("pipeline.region") {
				v.add(p+".region", "%q differs from the pipeline region %s; expected the pipeline region (deploying across regions is not supported yet)", e.Region, c.Pipeline.Region)
			}
		}
		v.engine(p, e)
		v.releaseChecks(p, e)
		if e.Approval && len(c.Notifications.Emails) == 0 && v.usable("notifications.emails") {
			v.add(p+".approval", "true, but notifications.emails is empty; expected at least one address to send the approval request to")
		}
		v.service(p+".service", e.Service, &i)
		v.secretsKeyRegion(p, e)
		v.in(p+".natGateways", e.NATGateways, natGatewaysLimit)
		if e.NATGateways == 0 && e.Import == nil && e.Service.BootstrapImage == "" {
			v.add(p+".natGateways", "0, but without NAT the tasks cannot pull the default bootstrap image from public.ecr.aws; expected service.bootstrapImage in a private ECR repository, or a NAT gateway")
		}
		v.loadBalancer(p+".loadBalancer", e)
		v.in(p+".alarms.target5xxPerMinute", e.Alarms.Target5xxPerMinute, target5xxLimit)
		v.in(p+".alarms.unhealthyHosts", e.Alarms.UnhealthyHosts, unhealthyHostsLimit)
		v.in(p+".alarms.latencyP99Milliseconds", e.Alarms.LatencyP99Milliseconds, latencyP99Limit)
		if e.Import != nil {
			v.importBlock(p+".import", e)
			for _, f := range []string{"natGateways", "loadBalancer"} {
				if v.given(p + "." + f) {
					v.add(p+"."+f, "cannot be used with import; expected the settings of what is created, or an import of what exists")
				}
			}
		}
	}
}

func (v *validator) loadBalancer(p string, e *Environment) {
	lb := e.LoadBalancer
	if lb.CertificateARN != "" {
		w := v.where(e.Account, e.Region, p+".account", p+".region", "the environment's account and region")
		if msg := checkARN(lb.CertificateARN, certificateRule, w); msg != "" {
			v.add(p+".certificateArn", "%s", msg)
		}
	}
	switch port := lb.TestListenerPort; {
	case port < portLimit.lo || port > portLimit.hi:
		v.in(p+".testListenerPort", port, portLimit)
	case containsInt(productionPorts, port):
		v.add(p+".testListenerPort", "%d is a production listener port; expected another port, such as 9000", port)
	}
}

func (v *validator) importBlock(p string, e *Environment) {
	im := e.Import
	env := strings.TrimSuffix(p, ".import")
	w := v.where(e.Account, e.Region, env+".account", env+".region", "the environment's account and region")
	required := []struct{ field, value, what string }{
		{"vpcId", im.VPCID, "the id of the existing VPC, such as vpc-0123456789abcdef0"},
		{"clusterArn", im.ClusterARN, "the ARN of the existing ECS cluster"},
		{"serviceName", im.ServiceName, "the name of the existing ECS service"},
	}
	if e.Deployment.Engine == spec.EngineECS {
		required = append(required,
			struct{ field, value, what string }{"listenerRuleArn", im.ListenerRuleARN, "the ARN of the production listener rule ECS shifts (listener-rule/app/…)"},
			struct{ field, value, what string }{"testListenerRuleArn", im.TestListenerRuleARN, "the ARN of the test listener rule ECS shifts (listener-rule/app/…)"})
	} else {
		required = append(required,
			struct{ field, value, what string }{"listenerArn", im.ListenerARN, "the ARN of the production listener"},
			struct{ field, value, what string }{"testListenerArn", im.TestListenerARN, "the ARN of the test listener"})
	}
	for _, r := range required {
		v.require(p+"."+r.field, r.value, r.what)
	}
	if im.VPCID != "" && !vpcIDPattern.MatchString(im.VPCID) {
		v.add(p+".vpcId", "%q is not a VPC id; expected vpc- and 8 or 17 hex digits", im.VPCID)
	}
	if len(im.SubnetIDs) == 0 {
		v.add(p+".subnetIds", "required; expected the ids of the private subnets the tasks run in")
	}
	seen := map[string]bool{}
	for i, s := range im.SubnetIDs {
		switch {
		case !subnetIDPattern.MatchString(s):
			v.add(fmt.Sprintf("%s.subnetIds[%d]", p, i), "%q is not a subnet id; expected subnet- and 8 or 17 hex digits", s)
		case seen[s]:
			v.add(fmt.Sprintf("%s.subnetIds[%d]", p, i), "%q is listed twice; expected each subnet once", s)
		}
		seen[s] = true
	}
	arns := []struct {
		field, value string
		rule         arnRule
	}{
		{"clusterArn", im.ClusterARN, clusterRule},
		{"deployRoleArn", im.DeployRoleARN, roleRule},
	}
	if e.Deployment.Engine != spec.EngineECS {
		arns = append(arns, []struct {
			field, value string
			rule         arnRule
		}{{"listenerArn", im.ListenerARN, listenerRule}, {"testListenerArn", im.TestListenerARN, listenerRule}}...)
		if checkARN(im.ListenerARN, listenerRuleRule, w) == "" || checkARN(im.TestListenerARN, listenerRuleRule, w) == "" {
			arns = arns[:2] // importedRules says what a rule ARN in a listener field means
		}
	}
	for _, a := range arns {
		if a.value != "" {
			if msg := checkARN(a.value, a.rule, w); msg != "" {
				v.add(p+"."+a.field, "%s", msg)
			}
		}
	}
	if im.ServiceName != "" && !serviceName.MatchString(im.ServiceName) {
		v.add(p+".serviceName", "%q is not an ECS service name; expected up to 255 letters, digits, '_' and '-'", im.ServiceName)
	}
	v.importedRules(p, e)
	if im.ListenerARN != "" && im.ListenerARN == im.TestListenerARN {
		v.add(p+".testListenerArn", "is the production listener; expected a second listener on its own port")
	} else if lb, tlb := loadBalancerOf(im.ListenerARN), loadBalancerOf(im.TestListenerARN); lb != "" && tlb != "" && lb != tlb {
		v.add(p+".testListenerArn", "belongs to load balancer %s but listenerArn to %s; expected both listeners on one load balancer", tlb, lb)
	}
	if len(im.TargetGroupARNs) != targetGroupCount {
		v.add(p+".targetGroupArns", "%d given; expected exactly %d (blue, then green)", len(im.TargetGroupARNs), targetGroupCount)
	}
	for i, tg := range im.TargetGroupARNs {
		path := fmt.Sprintf("%s.targetGroupArns[%d]", p, i)
		if msg := checkARN(tg, targetGroupRule, w); msg != "" {
			v.add(path, "%s", msg)
		} else if i == 1 && tg == im.TargetGroupARNs[0] {
			v.add(path, "is the same as targetGroupArns[0]; expected two different target groups")
		}
	}
}

func (v *validator) notifications(c *Config) {
	seen := map[string]bool{}
	for i, e := range c.Notifications.Emails {
		path := fmt.Sprintf("notifications.emails[%d]", i)
		switch {
		case !emailPattern.MatchString(e) || len(e) > maxEmailLength:
			v.add(path, "%q is not an e-mail address; expected name@example.com", e)
		case seen[strings.ToLower(e)]:
			v.add(path, "%q is listed twice; expected each address once", e)
		}
		seen[strings.ToLower(e)] = true
	}
}

func hasEnvironment(c *Config, name string) bool {
	return contains(environmentNames(c), name)
}

func environmentNames(c *Config) []string {
	names := make([]string, len(c.Environments))
	for i, e := range c.Environments {
		names[i] = e.Name
	}
	return names
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

func joinInts(list []int) string {
	s := make([]string, len(list))
	for i, n := range list {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// reservedEndings are what the constructs append to an environment's name: an environment
// named "staging-it" would share the integration-test family of "staging".
var reservedEndings = []string{"it", "deploy", "execution", "task"}

// reservedName says why an environment name would collide with a derived name, or "".
func reservedName(name string) string {
	parts := strings.Split(name, "-")
	if contains(parts, "pipeline") {
		return `contains "pipeline", which marks the pipeline's stack and the roles environments trust`
	}
	if last := parts[len(parts)-1]; len(parts) > 1 && contains(reservedEndings, last) {
		return fmt.Sprintf(`ends in "-%s", a name ecsdelivery derives from other environments`, last)
	}
	return ""
}
