package spec

import "strings"

// Why a name is reserved, in the words a config error shows.
const (
	shell        = "the shell reads it"
	node         = "Node.js reads it"
	scriptInput  = "an input of the build scripts"
	linker       = "the dynamic linker's"
	aws          = "AWS SDKs and CLI read it"
	ecs          = "ECS sets and reads it"
	codeBuild    = "CodeBuild sets it"
	trivy        = "Trivy reads it"
	docker       = "the docker CLI reads it"
	buildKit     = "BuildKit reads it"
	bashFunction = "bash imports it as a function"
	ours         = "ecsdelivery reserves it"
	network      = "it routes or trusts the tools' connections"
	python       = "Python, which runs the AWS CLI, reads it"
	java         = "the JVM reads it"
)

// reservedNames are variables that a build secret or a service variable must not set: the
// build's secrets become variables of the very shell that runs the build scripts, and a service's
// variables sit beside what the platform gives the container. Each would shadow an input of the
// scripts or change how a shell, a runtime or an AWS tool behaves (PATH or BASH_ENV alone run
// code of the config's choosing).
var reservedNames = map[string]string{
	"PATH": shell, "BASH_ENV": shell, "ENV": shell, "HOME": shell, "SHELL": shell, "IFS": shell,
	"PS4": shell, "SHELLOPTS": shell, "BASHOPTS": shell, "CDPATH": shell, "GLOBIGNORE": shell,
	"NODE_OPTIONS": node,
	// Where the tools connect and whom they trust: a secret named so would send the registry
	// password or the AWS calls through a proxy of the config's choosing.
	"HTTP_PROXY": network, "HTTPS_PROXY": network, "NO_PROXY": network, "ALL_PROXY": network,
	"http_proxy": network, "https_proxy": network, "no_proxy": network, "all_proxy": network,
	"SSL_CERT_FILE": network, "SSL_CERT_DIR": network, "REQUESTS_CA_BUNDLE": network, "CURL_CA_BUNDLE": network,
	"PYTHONPATH": python, "PYTHONHOME": python, "PYTHONSTARTUP": python, "PYTHONUSERBASE": python,
	"JAVA_TOOL_OPTIONS": java, "_JAVA_OPTIONS": java,
	// scripts/build.sh, scan.sh and integration-test.sh, and what the constructs export for them.
	"REPOSITORY_URI": scriptInput, "CONTAINER_NAME": scriptInput, "DEPLOY_ENVIRONMENTS": scriptInput,
	"DOCKERFILE": scriptInput, "BUILD_CONTEXT": scriptInput, "OUTPUT_DIR": scriptInput,
	"CACHE_TAG": scriptInput, "BUILDER_IMAGE": scriptInput, "PARAMETER_VARIABLES": scriptInput,
	"UNIT_TEST_COMMAND": scriptInput, "TEST_DOCKERFILE": scriptInput, "TEST_TARGET": scriptInput,
	"TEST_IMAGE_DETAIL": scriptInput, "BUILD_ID": scriptInput, "IMAGE_DETAIL": scriptInput,
	"FAIL_ON": scriptInput, "IGNORE_UNFIXED": scriptInput, "REPORT_DIR": scriptInput,
	"DEPLOY_ROLE_ARN": scriptInput, "ENV_REGION": scriptInput, "CLUSTER": scriptInput,
	"FAMILY": scriptInput, "NETWORK_PARAMETER": scriptInput, "LOG_GROUP": scriptInput,
	"TIMEOUT_SECONDS": scriptInput, "POLL_SECONDS": scriptInput,
	"APP_URL": "the integration test's address of the app",
}

// reservedPrefixes reserve whole families: the scripts' numbered inputs and the variables tools
// read by prefix, where a list of single names would miss the next one a tool adds.
var reservedPrefixes = []struct{ prefix, why string }{
	{"TASKDEF_", scriptInput},
	{"PORT_", scriptInput},
	{"LD_", linker},
	{"AWS_", aws},
	{"ECS_", ecs},
	{"CODEBUILD_", codeBuild},
	{"TRIVY_", trivy},
	{"DOCKER_", docker},
	{"BUILDKIT_", buildKit},
	{"BASH_FUNC_", bashFunction},
	{"ECSDELIVERY_", ours},
}

// ReservedVariable reports whether a build secret or a service variable may not be called name,
// and why, in a few words. Names are case-sensitive, as the shell and the tools read them.
func ReservedVariable(name string) (why string, reserved bool) {
	if why, ok := reservedNames[name]; ok {
		return why, true
	}
	if _, why := reservedPrefix(name); why != "" {
		return why, true
	}
	return "", false
}

// ReservedPrefix returns the reserved prefix name starts with, such as "AWS_", or "" when no
// prefix reserves it (it may still be reserved as an exact name), so a message can say which
// names are free.
func ReservedPrefix(name string) string {
	prefix, _ := reservedPrefix(name)
	return prefix
}

func reservedPrefix(name string) (prefix, why string) {
	for _, r := range reservedPrefixes {
		if strings.HasPrefix(name, r.prefix) {
			return r.prefix, r.why
		}
	}
	return "", ""
}
