package config

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// badCases are configs with mistakes, one concern each, and every problem Load must report,
// exactly, with its position. The base of most cases is the smallest valid config:
//
//	app: orders-api
//	source: {owner: acme, repo: orders-api}
//	environments: [{name: staging}]
var badCases = []struct {
	name, yaml string
	want       string
}{
	{"empty file",
		"   \n\n",
		"bad.yaml: the file is empty; expected a delivery config with at least app, source and environments"},
	{"binary file",
		"app: x\x00\x01",
		"bad.yaml: not a text file (it holds binary data); expected a YAML delivery config"},
	{"only comments",
		"# nothing here\n# at all\n",
		"bad.yaml: the file holds only comments; expected a delivery config with at least app, source and environments"},
	{"invalid YAML",
		"app: orders-api\nsource: {owner: acme\nenvironments: []\n",
		"bad.yaml:3:1: invalid YAML: ',' or '}' must be specified"},
	{"top level is a list",
		"- app: orders-api\n",
		"bad.yaml:1:1: expected a mapping of fields (version, app, environmentSuffix, pipeline, source, build, scan, integrationTest, service, environments, notifications), got a list"},
	{"two documents",
		"app: orders-api\n---\napp: other\n",
		"bad.yaml:2:1: a second YAML document starts here; expected one document"},
	{"unknown field with suggestion",
		"aap: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\n",
		"bad.yaml:1:1: aap: unknown field; did you mean \"app\"?\n" +
			"bad.yaml:1:1: app: required; expected the application name, such as orders-api"},
	{"unknown nested field",
		"app: orders-api\nsource: {owner: acme, repo: orders-api, brnach: main}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:41: source.brnach: unknown field; did you mean \"branch\"?"},
	{"field without its unit or prefix",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {memory: 1024, port: 8080}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:11: service.memory: unknown field; did you mean \"memoryMiB\"?\n" +
			"bad.yaml:3:25: service.port: unknown field; did you mean \"containerPort\"?"},
	{"unknown field of a long block, every field listed",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {replicas: 2}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:11: service.replicas: unknown field; expected one of bootstrapImage, containerPort, cpu, deregistrationDelaySeconds, " +
			"desiredCount, environment, healthCheckIntervalSeconds, healthCheckPath, healthyThresholdCount, logRetentionDays, memoryMiB, " +
			"secrets, secretsKeyArn"},
	{"unknown field without a close match",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\ncolour: blue\n",
		"bad.yaml:4:1: colour: unknown field; expected one of app, build, environmentSuffix, environments, integrationTest, notifications, pipeline, scan, service, source, version"},
	{"duplicate key",
		"app: orders-api\napp: payments\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:1: app: given twice (first at line 1); expected each field once"},
	{"merge key",
		"app: orders-api\nbase: &b {owner: acme, repo: orders-api}\nsource: {<<: *b}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:1: base: unknown field; expected one of app, build, environmentSuffix, environments, integrationTest, notifications, pipeline, scan, service, source, version\n" +
			"bad.yaml:3:9: source.owner: required; expected the GitHub user or organisation that owns the repository\n" +
			"bad.yaml:3:9: source.repo: required; expected the GitHub repository name\n" +
			"bad.yaml:3:10: source.<<: merge keys are not supported; write the fields out"},
	{"version",
		"version: 2\napp: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\n",
		"bad.yaml:1:10: version: 2 is not supported; expected 1"},
	{"missing required fields",
		"source: {branch: main}\nenvironments: [{name: staging}]\n",
		"bad.yaml:1:1: app: required; expected the application name, such as orders-api\n" +
			"bad.yaml:1:9: source.owner: required; expected the GitHub user or organisation that owns the repository\n" +
			"bad.yaml:1:9: source.repo: required; expected the GitHub repository name"},
	{"app name characters",
		"app: Orders_API\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\n",
		"bad.yaml:1:6: app: \"Orders_API\" is not a valid app name; expected lowercase letters, digits and single '-', starting with a letter"},
	{"app name length",
		"app: a-very-long-application-name-indeed\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\n",
		"bad.yaml:1:6: app: \"a-very-long-application-name-indeed\" is 35 characters; expected at most 28, since it becomes part of AWS resource names"},
	{"environment suffix",
		"app: orders-api\nenvironmentSuffix: Dev_1\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:20: environmentSuffix: \"Dev_1\" is not a valid suffix; expected up to 11 lowercase letters, digits and single '-'"},
	{"unquoted account id",
		"app: orders-api\npipeline: {account: 111111111111}\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:21: pipeline.account: write the account id as a quoted string (\"111111111111\"); YAML reads unquoted digits as a number"},
	{"short account id",
		"app: orders-api\npipeline: {account: \"11111\"}\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:21: pipeline.account: \"11111\" is not a 12-digit AWS account id"},
	{"region typo",
		"app: orders-api\npipeline: {region: us-east1}\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:20: pipeline.region: \"us-east1\" is not an AWS region; did you mean \"us-east-1\"?"},
	{"region unknown",
		"app: orders-api\npipeline: {region: moon-base-1}\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:20: pipeline.region: \"moon-base-1\" is not an AWS region; expected a name such as us-east-1 or eu-west-1"},
	{"github owner and repo",
		"app: orders-api\nsource: {owner: -acme, repo: \"orders api\"}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:17: source.owner: \"-acme\" is not a GitHub owner; expected up to 39 letters, digits and '-'\n" +
			"bad.yaml:2:30: source.repo: \"orders api\" is not a GitHub repository name; expected letters, digits, '.', '_' and '-'"},
	{"branch name",
		"app: orders-api\nsource: {owner: acme, repo: orders-api, branch: \"feature..x\"}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:49: source.branch: \"feature..x\" is not a valid git branch name; expected a name such as main or release/1.2, without spaces, '..', any of ~^:?*[\\, or a part starting with '.'"},
	{"connection and oauth token together",
		"app: orders-api\nsource:\n  owner: acme\n  repo: orders-api\n  connectionArn: arn:aws:codeconnections:us-east-1:111111111111:connection/abc-123\n  oauthTokenSecret: github-token\nenvironments: [{name: staging}]\n",
		"bad.yaml:6:21: source.oauthTokenSecret: cannot be used with source.connectionArn; expected one source: a CodeConnections connection or the legacy OAuth token"},
	{"connection in another account",
		"app: orders-api\npipeline: {account: \"111111111111\"}\nsource:\n  owner: acme\n  repo: orders-api\n  connectionArn: arn:aws:codeconnections:us-east-1:999999999999:connection/abc-123\nenvironments: [{name: staging}]\n",
		"bad.yaml:6:18: source.connectionArn: \"arn:aws:codeconnections:us-east-1:999999999999:connection/abc-123\" is in account 999999999999; expected account 111111111111 (pipeline.account)"},
	{"connection of another service",
		"app: orders-api\nsource:\n  owner: acme\n  repo: orders-api\n  connectionArn: arn:aws:codecommit:us-east-1:111111111111:connection/abc-123\nenvironments: [{name: staging}]\n",
		"bad.yaml:5:18: source.connectionArn: \"arn:aws:codecommit:us-east-1:111111111111:connection/abc-123\" names service \"codecommit\"; expected a CodeConnections connection ARN (service codeconnections or codestar-connections)"},
	{"connection not an ARN",
		"app: orders-api\nsource: {owner: acme, repo: orders-api, connectionArn: my-connection}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:56: source.connectionArn: \"my-connection\" is not an ARN; expected a CodeConnections connection ARN (arn:aws:codeconnections:…:connection/ID)"},
	{"oauth secret name",
		"app: orders-api\nsource: {owner: acme, repo: orders-api, oauthTokenSecret: \"github token!\"}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:59: source.oauthTokenSecret: \"github token!\" is not a Secrets Manager secret name; expected letters, digits and /_+=.@-"},
	{"too many file paths",
		"app: orders-api\nsource: {owner: acme, repo: orders-api, filePaths: [a, b, c, d, e, f, g, h, i]}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:52: source.filePaths: 9 patterns given; CodePipeline accepts at most 8"},
	{"empty file path",
		"app: orders-api\nsource: {owner: acme, repo: orders-api, filePaths: [\"src/**\", \"\"]}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:63: source.filePaths[1]: expected a non-empty glob pattern of at most 255 characters"},
	{"file paths with the legacy OAuth source",
		"app: orders-api\nsource: {owner: acme, repo: orders-api, oauthTokenSecret: github-token, filePaths: [\"src/**\"]}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:84: source.filePaths: cannot be used with source.oauthTokenSecret: the legacy OAuth webhook filters by branch only; expected a CodeConnections source (connectionArn, or none to create one) to filter by path"},
	{"dockerfile outside the repository",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nbuild: {dockerfile: ../Dockerfile, context: /src}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:21: build.dockerfile: \"../Dockerfile\" is not a path inside the repository; expected a relative path without '..'\n" +
			"bad.yaml:3:45: build.context: \"/src\" is not a path inside the repository; expected a relative path without '..'"},
	{"dockerfile and context that read as options",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nbuild: {dockerfile: --file=/etc/passwd, context: \"-\"}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:21: build.dockerfile: \"--file=/etc/passwd\" would be read as an option; expected a path that does not start with '-'\n" +
			"bad.yaml:3:50: build.context: \"-\" would be read as an option; expected a path that does not start with '-'"},
	{"builder image only tagged",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nbuild: {builderImage: \"moby/buildkit:latest\"}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:23: build.builderImage: \"moby/buildkit:latest\" is not pinned by digest; expected NAME[:TAG]@sha256:DIGEST (see the README on mirroring the builder)"},
	{"builder image not an image reference",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nbuild: {builderImage: \"moby/buildkit@sha256:ABC\"}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:23: build.builderImage: \"moby/buildkit@sha256:ABC\" is not an image reference; expected NAME[:TAG]@sha256:DIGEST with 64 lowercase hex digits (see the README on mirroring the builder)"},
	{"compute type and architecture",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nbuild: {computeType: huge, architecture: arm}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:22: build.computeType: \"huge\" is not allowed; expected one of small, medium, large, xlarge\n" +
			"bad.yaml:3:42: build.architecture: \"arm\" is not allowed; expected one of x86_64, arm64"},
	{"scan severities",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nscan: {failOn: [CRITICAL, SEVERE, CRITICAL]}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:27: scan.failOn[1]: \"SEVERE\" is not a severity; expected one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL\n" +
			"bad.yaml:3:35: scan.failOn[2]: \"CRITICAL\" is listed twice; expected each severity once"},
	{"scan with no severity",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nscan: {failOn: []}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:16: scan.failOn: empty; expected at least one severity (UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL), or the scan could never fail"},
	{"scan flag not a boolean",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nscan: {ignoreUnfixed: \"yes\"}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:23: scan.ignoreUnfixed: expected true or false, got \"yes\""},
	{"integration test in an undefined environment",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nintegrationTest: {command: [make, it], environment: qa}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:53: integrationTest.environment: \"qa\" is not a defined environment; expected one of staging"},
	{"integration test after an approval",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nintegrationTest: {command: [make, it], environment: production}\n" +
			"environments:\n  - name: staging\n  - name: production\n    approval: true\nnotifications: {emails: [ops@acme.example]}\n",
		"bad.yaml:3:53: integrationTest.environment: \"production\" is deployed only after an approval (environments[1].approval); " +
			"the test task would run unapproved code in its network with its task role and secrets; " +
			"expected an environment before the first approval, or integrationTest.allowGatedEnvironment: true"},
	{"integration test defaulted to an environment behind an approval",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nintegrationTest:\n  command: [make, it]\n" +
			"environments: [{name: staging, approval: true}, {name: production}]\nnotifications: {emails: [ops@acme.example]}\n",
		"bad.yaml:4:3: integrationTest.environment: \"staging\" is deployed only after an approval (environments[0].approval); " +
			"the test task would run unapproved code in its network with its task role and secrets; " +
			"expected an environment before the first approval, or integrationTest.allowGatedEnvironment: true"},
	{"integration test in an environment after an approved one",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nintegrationTest: {command: [make, it], environment: production}\n" +
			"environments: [{name: staging}, {name: preprod, approval: true}, {name: production}]\nnotifications: {emails: [ops@acme.example]}\n",
		"bad.yaml:3:53: integrationTest.environment: \"production\" is deployed only after an approval (environments[1].approval); " +
			"the test task would run unapproved code in its network with its task role and secrets; " +
			"expected an environment before the first approval, or integrationTest.allowGatedEnvironment: true"},
	{"the test's own image, wrong",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nintegrationTest:\n  command: [make, it]\n  image: {dockerfile: --file=x, target: \"in tegration\"}\nenvironments: [{name: staging}]\n",
		"bad.yaml:5:23: integrationTest.image.dockerfile: \"--file=x\" would be read as an option; expected a path that does not start with '-'\n" +
			"bad.yaml:5:41: integrationTest.image.target: \"in tegration\" is not a build stage name; expected letters, digits, '_', '.' and '-', starting with a letter or digit"},
	{"the test's own image, empty or outside the repository",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nintegrationTest: {command: [make, it], image: {}}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:47: integrationTest.image: empty; expected dockerfile, target or both"},
	{"the test's own image without a test",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nintegrationTest: {image: {dockerfile: ../Dockerfile}}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:26: integrationTest.image: set, but integrationTest.command is not; expected a command to run, or no integrationTest block"},
	{"allowing a gated environment without a test",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nintegrationTest: {allowGatedEnvironment: true}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:42: integrationTest.allowGatedEnvironment: set, but integrationTest.command is not; expected a command to run, or no integrationTest block"},
	{"allowing a gated environment, not a boolean",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nintegrationTest: {command: [make, it], allowGatedEnvironment: yes please}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:63: integrationTest.allowGatedEnvironment: expected true or false, got \"yes please\""},
	{"integration test timeout",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nintegrationTest: {command: [make, it], timeoutMinutes: 0}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:56: integrationTest.timeoutMinutes: 0 is out of range; expected minutes from 1 to 50"},
	{"integration test command empty",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nintegrationTest: {command: [], timeoutMinutes: 10}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:28: integrationTest.command: empty; expected the command as a list, such as [\"npm\", \"run\", \"test:integration\"], or no integrationTest block"},
	{"integration test command as a string",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nintegrationTest: {command: npm run it}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:28: integrationTest.command: expected a list, got \"npm run it\""},
	{"container port",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {containerPort: 70000}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:26: service.containerPort: 70000 is out of range; expected a port from 1 to 65535"},
	{"port not a number",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {containerPort: http}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:26: service.containerPort: expected a whole number, got \"http\""},
	{"health check path",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {healthCheckPath: health}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:28: service.healthCheckPath: \"health\" is not a URL path; expected /PATH with letters, digits and . _ ~ % / : @ + , = - and an optional ?QUERY"},
	// The path reaches a shell (the test task's health check, the bootstrap server), so only
	// characters that mean nothing to one pass.
	{"health check paths a shell would act on",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {healthCheckPath: \"/health;reboot\"}\nenvironments:\n" +
			"  - {name: a, service: {healthCheckPath: \"/h a\"}}\n  - {name: b, service: {healthCheckPath: \"/h'x\"}}\n" +
			"  - {name: c, service: {healthCheckPath: \"/$(id)\"}}\n  - {name: d, service: {healthCheckPath: \"/`id`\"}}\n" +
			"  - {name: e, service: {healthCheckPath: \"/a&b\"}}\n  - {name: f, service: {healthCheckPath: \"/a#b\"}}\n" +
			"  - {name: g, service: {healthCheckPath: \"/a?b?c\"}}\n  - {name: h, service: {healthCheckPath: \"/a%zz\"}}\n" +
			"  - {name: i, service: {healthCheckPath: \"/a\\tb\"}}\n",
		"bad.yaml:3:28: service.healthCheckPath: \"/health;reboot\" is not a URL path; expected /PATH with letters, digits and . _ ~ % / : @ + , = - and an optional ?QUERY\n" +
			"bad.yaml:5:42: environments[0].service.healthCheckPath: \"/h a\" is not a URL path; expected /PATH with letters, digits and . _ ~ % / : @ + , = - and an optional ?QUERY\n" +
			"bad.yaml:6:42: environments[1].service.healthCheckPath: \"/h'x\" is not a URL path; expected /PATH with letters, digits and . _ ~ % / : @ + , = - and an optional ?QUERY\n" +
			"bad.yaml:7:42: environments[2].service.healthCheckPath: \"/$(id)\" is not a URL path; expected /PATH with letters, digits and . _ ~ % / : @ + , = - and an optional ?QUERY\n" +
			"bad.yaml:8:42: environments[3].service.healthCheckPath: \"/`id`\" is not a URL path; expected /PATH with letters, digits and . _ ~ % / : @ + , = - and an optional ?QUERY\n" +
			"bad.yaml:9:42: environments[4].service.healthCheckPath: \"/a&b\" is not a URL path; expected /PATH with letters, digits and . _ ~ % / : @ + , = - and an optional ?QUERY\n" +
			"bad.yaml:10:42: environments[5].service.healthCheckPath: \"/a#b\" is not a URL path; expected /PATH with letters, digits and . _ ~ % / : @ + , = - and an optional ?QUERY\n" +
			"bad.yaml:11:42: environments[6].service.healthCheckPath: \"/a?b?c\" is not a URL path; expected /PATH with letters, digits and . _ ~ % / : @ + , = - and an optional ?QUERY\n" +
			"bad.yaml:12:42: environments[7].service.healthCheckPath: \"/a%zz\" is not a URL path; expected /PATH with letters, digits and . _ ~ % / : @ + , = - and an optional ?QUERY\n" +
			"bad.yaml:13:42: environments[8].service.healthCheckPath: \"/a\\tb\" is not a URL path; expected /PATH with letters, digits and . _ ~ % / : @ + , = - and an optional ?QUERY"},
	{"health check path longer than a target group takes",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {healthCheckPath: /" + strings.Repeat("a", 1024) + "}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:28: service.healthCheckPath: \"/" + strings.Repeat("a", 198) + "…\" is 1025 characters; expected a URL path of at most 1024"},
	{"fargate cpu",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {cpu: 300}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:16: service.cpu: 300 is not a Fargate CPU size; expected 256, 512, 1024, 2048, 4096, 8192 or 16384"},
	{"fargate memory",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {cpu: 1024, memoryMiB: 1024}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:33: service.memoryMiB: memoryMiB 1024 does not fit cpu 1024 on Fargate; expected 2048 to 8192 MiB in steps of 1024"},
	{"fargate size in an environment override",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    service: {cpu: 4096}\n",
		"bad.yaml:5:20: environments[0].service.cpu: memoryMiB 1024 does not fit cpu 4096 on Fargate; expected 8192 to 30720 MiB in steps of 1024"},
	{"desired count",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {desiredCount: 0}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:25: service.desiredCount: 0 is out of range; expected a task count from 1 to 1000"},
	{"variable names",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice:\n  environment: {1BAD: x}\n  secrets: {DB-PASSWORD: /orders/db}\nenvironments: [{name: staging}]\n",
		"bad.yaml:4:23: service.environment.1BAD: \"1BAD\" is not a variable name; expected letters, digits and '_', not starting with a digit\n" +
			"bad.yaml:5:26: service.secrets.DB-PASSWORD: \"DB-PASSWORD\" is not a variable name; expected letters, digits and '_', not starting with a digit"},
	{"secret parameter names",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice:\n  secrets: {DB_PASSWORD: \"orders db\", API_KEY: /aws/reserved}\nenvironments: [{name: staging}]\n",
		"bad.yaml:4:26: service.secrets.DB_PASSWORD: \"orders db\" is not a Parameter Store name; expected a name such as /orders/db-password\n" +
			"bad.yaml:4:48: service.secrets.API_KEY: \"/aws/reserved\" starts with a prefix Parameter Store reserves (aws, ssm); expected your own parameter name"},
	{"secret that is also a plain variable",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice:\n  environment: {TOKEN: x}\n  secrets: {TOKEN: /orders/token}\nenvironments: [{name: staging}]\n",
		"bad.yaml:5:20: service.secrets.TOKEN: TOKEN is both a plain variable and a secret; expected each name once"},
	{"variables as a list",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {environment: [LOG_LEVEL=info]}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:24: service.environment: expected a mapping of names to values, got a list"},
	{"no environments",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\n",
		"bad.yaml:1:1: environments: required; expected at least one environment, such as [{name: staging}]"},
	{"environments as a mapping",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments: {staging: {}}\n",
		"bad.yaml:3:15: environments: expected a list, got a mapping"},
	{"environment names",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n  - name: staging\n  - name: pipeline\n  - name: Prod\n  - account: \"222222222222\"\n",
		"bad.yaml:5:11: environments[1].name: \"staging\" is already the name of environments[0]; expected unique names\n" +
			"bad.yaml:6:11: environments[2].name: \"pipeline\" contains \"pipeline\", which marks the pipeline's stack and the roles environments trust; expected another name\n" +
			"bad.yaml:7:11: environments[3].name: \"Prod\" is not a valid environment name; expected lowercase letters, digits and single '-', starting with a letter\n" +
			"bad.yaml:8:5: environments[4].name: required; expected a name such as staging or production\n" +
			"bad.yaml:8:14: environments[4].account: set, but pipeline.account is not; expected pipeline.account too, since this environment's deploy role must trust the pipeline account"},
	{"environment account without pipeline account",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging, account: \"222222222222\"}]\n",
		"bad.yaml:3:41: environments[0].account: set, but pipeline.account is not; expected pipeline.account too, since this environment's deploy role must trust the pipeline account"},
	{"environment in another partition",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging, region: cn-north-1}]\n",
		"bad.yaml:3:40: environments[0].region: \"cn-north-1\" is in partition aws-cn but the pipeline region us-east-1 is in aws; expected a region of the pipeline's partition"},
	{"deployment strategy and wait",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment: {strategy: BlueGreen, terminationWaitMinutes: 3000}\n",
		"bad.yaml:5:28: environments[0].deployment.strategy: \"BlueGreen\" is not a strategy; expected one of AllAtOnce, Canary10Percent5Minutes, Canary10Percent15Minutes, Linear10PercentEvery1Minute, Linear10PercentEvery3Minutes (or, with engine: ecs, any Canary<PERCENT>Percent<MINUTES>Minutes or Linear<PERCENT>PercentEvery<MINUTES>Minutes)\n" +
			"bad.yaml:5:63: environments[0].deployment.terminationWaitMinutes: 3000 is out of range; expected minutes from 0 to 2880"},
	{"unknown engine",
		"app: orders-api\npipeline: {account: \"111111111111\"}\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment: {engine: lambda}\n",
		"bad.yaml:6:26: environments[0].deployment.engine: \"lambda\" is not allowed; expected one of codedeploy, ecs"},
	{"strategy the engine cannot express; termination wait on ECS",
		"app: orders-api\npipeline: {account: \"111111111111\"}\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment: {strategy: Canary25Percent10Minutes}\n  - name: production\n    deployment: {engine: ecs, strategy: Linear2PercentEvery1Minute, terminationWaitMinutes: 10}\n",
		"bad.yaml:6:28: environments[0].deployment.strategy: \"Canary25Percent10Minutes\" is not one of CodeDeploy's predefined configurations; expected one of AllAtOnce, Canary10Percent5Minutes, Canary10Percent15Minutes, Linear10PercentEvery1Minute, Linear10PercentEvery3Minutes, or engine: ecs, which shifts any share or step\nbad.yaml:8:41: environments[1].deployment.strategy: \"Linear2PercentEvery1Minute\" shifts 2 percent; expected linear steps (ECS's smallest step is 3 percent) from 3 to 99 percent\nbad.yaml:8:93: environments[1].deployment.terminationWaitMinutes: set, but engine ecs has no termination wait: the old tasks stay until the bake ends; expected bakeMinutes instead"},
	{"ECS bake over CloudFormation's limit, and longer than the deploy step waits",
		"app: orders-api\npipeline: {account: \"111111111111\"}\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment: {engine: ecs, bakeMinutes: 1441}\n  - name: production\n    deployment: {engine: ecs, strategy: Linear10PercentEvery30Minutes, bakeMinutes: 180}\n",
		"bad.yaml:6:44: environments[0].deployment.bakeMinutes: 1441 is out of range; expected minutes (CloudFormation's limit of ECS's bake time) from 0 to 1440\nbad.yaml:8:85: environments[1].deployment.bakeMinutes: 180, but with strategy Linear10PercentEvery30Minutes (300 minutes of shifting) and 30 minutes for the release itself the deploy step would wait 510 minutes, longer than the 480 a CodeBuild build runs; expected at most 150"},
	{"ECS import given listeners where rules are needed",
		"app: orders-api\npipeline: {account: \"111111111111\"}\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment: {engine: ecs, testTraffic: {url: \"http://lb.internal:9000\"}}\n    import:\n      vpcId: vpc-0a1b2c3d4e5f60718\n      subnetIds: [subnet-0a1b2c3d4e5f60711]\n      clusterArn: arn:aws:ecs:us-east-1:111111111111:cluster/staging\n      serviceName: orders-api\n      targetGroupArns:\n        - arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/blue/0123456789abcdef\n        - arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/green/fedcba9876543210\n      listenerArn: arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/a/0123456789abcdef/0123456789abcdef\n      listenerRuleArn: arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/a/0123456789abcdef/0123456789abcdef\n      testListenerRuleArn: arn:aws:elasticloadbalancing:us-east-1:111111111111:listener-rule/app/a/0123456789abcdef/0123456789abcdef/1111111111111111\n",
		"bad.yaml:15:20: environments[0].import.listenerArn: set, but engine ecs shifts listener rules, not listeners; expected listenerRuleArn, the ARN of a rule on that listener\nbad.yaml:16:24: environments[0].import.listenerRuleArn: \"arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/a/0123456789abcdef/0123456789abcdef\" is a listener ARN; expected the ARN of a rule on it (listener-rule/app/NAME/LB-ID/LISTENER-ID/RULE-ID), which ECS shifts"},
	{"CodeDeploy import given a rule where a listener is needed",
		"app: orders-api\npipeline: {account: \"111111111111\"}\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment: {testTraffic: {url: \"http://lb.internal:9000\"}}\n    import:\n      vpcId: vpc-0a1b2c3d4e5f60718\n      subnetIds: [subnet-0a1b2c3d4e5f60711]\n      clusterArn: arn:aws:ecs:us-east-1:111111111111:cluster/staging\n      serviceName: orders-api\n      targetGroupArns:\n        - arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/blue/0123456789abcdef\n        - arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/green/fedcba9876543210\n      listenerArn: arn:aws:elasticloadbalancing:us-east-1:111111111111:listener-rule/app/a/0123456789abcdef/0123456789abcdef/1111111111111111\n      testListenerArn: arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/a/0123456789abcdef/fedcba9876543210\n      testListenerRuleArn: arn:aws:elasticloadbalancing:us-east-1:111111111111:listener-rule/app/a/0123456789abcdef/0123456789abcdef/1111111111111111\n",
		"bad.yaml:15:20: environments[0].import.listenerArn: \"arn:aws:elasticloadbalancing:us-east-1:111111111111:listener-rule/app/a/0123456789abcdef/0123456789abcdef/1111111111111111\" is a listener rule ARN; expected the listener's ARN (listener/app/NAME/LB-ID/LISTENER-ID), which CodeDeploy shifts, or deployment.engine: ecs with import.listenerRuleArn\nbad.yaml:17:28: environments[0].import.testListenerRuleArn: set, but engine codedeploy shifts whole listeners; expected listenerArn and testListenerArn, or deployment.engine: ecs"},
	{"ECS import without rules",
		"app: orders-api\npipeline: {account: \"111111111111\"}\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment: {engine: ecs, testTraffic: {url: \"http://lb.internal:9000\"}}\n    import:\n      vpcId: vpc-0a1b2c3d4e5f60718\n      subnetIds: [subnet-0a1b2c3d4e5f60711]\n      clusterArn: arn:aws:ecs:us-east-1:111111111111:cluster/staging\n      serviceName: orders-api\n      targetGroupArns:\n        - arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/blue/0123456789abcdef\n        - arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/green/fedcba9876543210\n",
		"bad.yaml:8:7: environments[0].import.listenerRuleArn: required; expected the ARN of the production listener rule ECS shifts (listener-rule/app/…)\nbad.yaml:8:7: environments[0].import.testListenerRuleArn: required; expected the ARN of the test listener rule ECS shifts (listener-rule/app/…)"},
	{"ECS import with rules on two load balancers",
		"app: orders-api\npipeline: {account: \"111111111111\"}\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment: {engine: ecs, testTraffic: {url: \"http://lb.internal:9000\"}}\n    import:\n      vpcId: vpc-0a1b2c3d4e5f60718\n      subnetIds: [subnet-0a1b2c3d4e5f60711]\n      clusterArn: arn:aws:ecs:us-east-1:111111111111:cluster/staging\n      serviceName: orders-api\n      targetGroupArns:\n        - arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/blue/0123456789abcdef\n        - arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/green/fedcba9876543210\n      listenerRuleArn: arn:aws:elasticloadbalancing:us-east-1:111111111111:listener-rule/app/a/0123456789abcdef/0123456789abcdef/1111111111111111\n      testListenerRuleArn: arn:aws:elasticloadbalancing:us-east-1:111111111111:listener-rule/app/b/0123456789abcdef/fedcba9876543210/1111111111111111\n",
		"bad.yaml:16:28: environments[0].import.testListenerRuleArn: belongs to load balancer app/b/0123456789abcdef but listenerRuleArn to app/a/0123456789abcdef; expected both rules on one load balancer"},
	{"ECS import with both rules on one listener",
		"app: orders-api\npipeline: {account: \"111111111111\"}\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment: {engine: ecs, testTraffic: {url: \"http://lb.internal:9000\"}}\n    import:\n      vpcId: vpc-0a1b2c3d4e5f60718\n      subnetIds: [subnet-0a1b2c3d4e5f60711]\n      clusterArn: arn:aws:ecs:us-east-1:111111111111:cluster/staging\n      serviceName: orders-api\n      targetGroupArns:\n        - arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/blue/0123456789abcdef\n        - arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/green/fedcba9876543210\n      listenerRuleArn: arn:aws:elasticloadbalancing:us-east-1:111111111111:listener-rule/app/a/0123456789abcdef/0123456789abcdef/1111111111111111\n      testListenerRuleArn: arn:aws:elasticloadbalancing:us-east-1:111111111111:listener-rule/app/a/0123456789abcdef/0123456789abcdef/2222222222222222\n",
		"bad.yaml:16:28: environments[0].import.testListenerRuleArn: is on the production rule's listener; expected a rule on the test listener, on its own port"},
	{"the change failure window is hours within a month",
		"app: orders-api\npipeline: {changeFailureWindowHours: 721}\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:38: pipeline.changeFailureWindowHours: 721 is out of range; expected hours from 1 to 720"},
	{"signing is a yes or no",
		"app: orders-api\npipeline: {signing: maybe}\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:21: pipeline.signing: expected true or false, got \"maybe\""},
	{"approval without e-mail",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n  - name: production\n    approval: true\n",
		"bad.yaml:6:15: environments[1].approval: true, but notifications.emails is empty; expected at least one address to send the approval request to"},
	{"approval not a boolean",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging, approval: 1}]\n",
		"bad.yaml:3:42: environments[0].approval: expected true or false, got \"1\""},
	{"e-mail addresses",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\nnotifications: {emails: [ops@acme.example, not-an-address, OPS@acme.example]}\n",
		"bad.yaml:4:44: notifications.emails[1]: \"not-an-address\" is not an e-mail address; expected name@example.com\n" +
			"bad.yaml:4:60: notifications.emails[2]: \"OPS@acme.example\" is listed twice; expected each address once"},
	{"incomplete import",
		"app: orders-api\npipeline: {account: \"111111111111\"}\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    import:\n      vpcId: vpc-0a1b2c3d4e5f60718\n      clusterArn: arn:aws:ecs:us-east-1:111111111111:cluster/staging\n",
		"bad.yaml:5:5: environments[0].deployment.testTraffic: on, but an imported environment's test listener has no known address; expected url: http://HOST:PORT of import.testListenerArn's load balancer, or enabled: false\n" +
			"bad.yaml:7:7: environments[0].import.serviceName: required; expected the name of the existing ECS service\n" +
			"bad.yaml:7:7: environments[0].import.listenerArn: required; expected the ARN of the production listener\n" +
			"bad.yaml:7:7: environments[0].import.testListenerArn: required; expected the ARN of the test listener\n" +
			"bad.yaml:7:7: environments[0].import.subnetIds: required; expected the ids of the private subnets the tasks run in\n" +
			"bad.yaml:7:7: environments[0].import.targetGroupArns: 0 given; expected exactly 2 (blue, then green)"},
	{"test traffic out of range",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment:\n      testTraffic: {paths: [health, /ok], expectStatus: 99, requests: 0, maxLatencyMilliseconds: 60001, url: \"ftp://x\"}\n",
		"bad.yaml:6:29: environments[0].deployment.testTraffic.paths[0]: \"health\" is not a URL path; expected /PATH with letters, digits and . _ ~ % / : @ + , = - and an optional ?QUERY\n" +
			"bad.yaml:6:57: environments[0].deployment.testTraffic.expectStatus: 99 is out of range; expected an HTTP status from 100 to 599\n" +
			"bad.yaml:6:71: environments[0].deployment.testTraffic.requests: 0 is out of range; expected requests per path from 1 to 1000\n" +
			"bad.yaml:6:98: environments[0].deployment.testTraffic.maxLatencyMilliseconds: 60001 is out of range; expected milliseconds from 1 to 60000\n" +
			"bad.yaml:6:110: environments[0].deployment.testTraffic.url: \"ftp://x\" is not a listener's address; expected http://HOST[:PORT] or https://HOST[:PORT]"},
	{"test traffic over the limits",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment:\n      testTraffic: {paths: [], requests: 1001, expectStatus: 600, url: \"http://lb.example:9000/health\"}\n",
		"bad.yaml:6:28: environments[0].deployment.testTraffic.paths: empty; expected at least one path, such as [/health]\n" +
			"bad.yaml:6:42: environments[0].deployment.testTraffic.requests: 1001 is out of range; expected requests per path from 1 to 1000\n" +
			"bad.yaml:6:62: environments[0].deployment.testTraffic.expectStatus: 600 is out of range; expected an HTTP status from 100 to 599\n" +
			"bad.yaml:6:72: environments[0].deployment.testTraffic.url: \"http://lb.example:9000/health\" has more than a scheme, host and port; expected http://HOST[:PORT] (the paths go in testTraffic.paths)"},
	{"test traffic settings with the check off",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment:\n      testTraffic: {enabled: false, requests: 5, paths: [/x]}\n",
		"bad.yaml:6:47: environments[0].deployment.testTraffic.requests: set, but testTraffic.enabled is false; expected the check's settings with the check on, or neither\n" +
			"bad.yaml:6:57: environments[0].deployment.testTraffic.paths: set, but testTraffic.enabled is false; expected the check's settings with the check on, or neither"},
	{"test traffic neither on nor off",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment:\n      testTraffic: {enabled: maybe}\n",
		"bad.yaml:6:30: environments[0].deployment.testTraffic.enabled: expected true or false, got \"maybe\""},
	{"test traffic unreachable without NAT",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    natGateways: 0\n    service: {bootstrapImage: 111111111111.dkr.ecr.us-east-1.amazonaws.com/boot:1}\n",
		"bad.yaml:4:5: environments[0].deployment.testTraffic: on, but with natGateways 0 the check inside the VPC cannot reach the internet-facing load balancer's test listener; expected loadBalancer.internal: true, a NAT gateway, or enabled: false"},
	{"deployment window with five fields, an abbreviated zone, a bake over an hour",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment:\n      window: {cron: \"0 9-17 * * MON-FRI\", timezone: CST}\n      bakeMinutes: 61\n",
		"bad.yaml:6:22: environments[0].deployment.window.cron: \"0 9-17 * * MON-FRI\" has 5 fields; expected 6 or 7 separated by spaces: seconds minutes hours day-of-month month day-of-week [year], such as \"0 0 9-17 ? * MON-FRI\"\n" +
			"bad.yaml:6:54: environments[0].deployment.window.timezone: \"CST\" is not an IANA time zone; expected Area/City such as Europe/Berlin, or UTC with an offset such as UTC+05:30 (abbreviations such as CST are ambiguous)\n" +
			"bad.yaml:7:20: environments[0].deployment.bakeMinutes: 61 is out of range; expected minutes from 0 to 60"},
	{"deployment window with both day fields, an unknown zone, a negative bake",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment:\n      window: {cron: \"0 0 9-17 * * MON-FRI\", timezone: Europe/Atlantis}\n      bakeMinutes: -1\n",
		"bad.yaml:6:22: environments[0].deployment.window.cron: \"0 0 9-17 * * MON-FRI\" names both day-of-month and day-of-week, or neither; expected '?' in exactly one of them, such as \"0 0 9-17 ? * MON-FRI\"\n" +
			"bad.yaml:6:56: environments[0].deployment.window.timezone: \"Europe/Atlantis\" is not a known IANA time zone; expected Area/City such as Europe/Berlin or America/New_York\n" +
			"bad.yaml:7:20: environments[0].deployment.bakeMinutes: -1 is out of range; expected minutes from 0 to 60"},
	{"deployment window without cron",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    deployment:\n      window: {timezone: UTC}\n",
		"bad.yaml:6:15: environments[0].deployment.window.cron: required; expected a cron expression such as \"0 0 9-17 ? * MON-FRI\""},
	{"import ids and ARNs",
		"app: orders-api\npipeline: {account: \"111111111111\"}\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    account: \"222222222222\"\n    import:\n      vpcId: vpc-123\n      subnetIds: [subnet-0a1b2c3d4e5f60711, subnet-0a1b2c3d4e5f60711, sub-1]\n      clusterArn: arn:aws:ecs:us-east-1:111111111111:cluster/staging\n      serviceName: orders api\n      listenerArn: arn:aws:elasticloadbalancing:us-east-1:222222222222:listener/app/a/0123456789abcdef/0123456789abcdef\n      testListenerArn: arn:aws:elasticloadbalancing:us-east-1:222222222222:listener/app/b/0123456789abcdef/fedcba9876543210\n      targetGroupArns:\n        - arn:aws:elasticloadbalancing:us-east-1:222222222222:targetgroup/blue/0123456789abcdef\n        - arn:aws:elasticloadbalancing:us-east-1:222222222222:targetgroup/blue/0123456789abcdef\n      deployRoleArn: arn:aws-cn:iam::222222222222:role/deploy\n",
		"bad.yaml:5:5: environments[0].deployment.testTraffic: on, but an imported environment's test listener has no known address; expected url: http://HOST:PORT of import.testListenerArn's load balancer, or enabled: false\n" +
			"bad.yaml:8:14: environments[0].import.vpcId: \"vpc-123\" is not a VPC id; expected vpc- and 8 or 17 hex digits\n" +
			"bad.yaml:9:45: environments[0].import.subnetIds[1]: \"subnet-0a1b2c3d4e5f60711\" is listed twice; expected each subnet once\n" +
			"bad.yaml:9:71: environments[0].import.subnetIds[2]: \"sub-1\" is not a subnet id; expected subnet- and 8 or 17 hex digits\n" +
			"bad.yaml:10:19: environments[0].import.clusterArn: \"arn:aws:ecs:us-east-1:111111111111:cluster/staging\" is in account 111111111111; expected account 222222222222 (the environment's account and region)\n" +
			"bad.yaml:11:20: environments[0].import.serviceName: \"orders api\" is not an ECS service name; expected up to 255 letters, digits, '_' and '-'\n" +
			"bad.yaml:13:24: environments[0].import.testListenerArn: belongs to load balancer app/b/0123456789abcdef but listenerArn to app/a/0123456789abcdef; expected both listeners on one load balancer\n" +
			"bad.yaml:16:11: environments[0].import.targetGroupArns[1]: is the same as targetGroupArns[0]; expected two different target groups\n" +
			"bad.yaml:17:22: environments[0].import.deployRoleArn: \"arn:aws-cn:iam::222222222222:role/deploy\" is in partition \"aws-cn\"; expected \"aws\", the partition of us-east-1"},
	{"import in another region",
		"app: orders-api\npipeline: {account: \"111111111111\", region: eu-west-1}\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    import:\n      vpcId: vpc-0a1b2c3d4e5f60718\n      subnetIds: [subnet-0a1b2c3d4e5f60711]\n      clusterArn: arn:aws:ecs:us-east-1:111111111111:cluster/staging\n      serviceName: orders-api\n      listenerArn: arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/a/0123456789abcdef/0123456789abcdef\n      testListenerArn: arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/a/0123456789abcdef/0123456789abcdef\n      targetGroupArns: [arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/blue/0123456789abcdef]\n      deployRoleArn: arn:aws:iam:eu-west-1:111111111111:role/deploy\n",
		"bad.yaml:5:5: environments[0].deployment.testTraffic: on, but an imported environment's test listener has no known address; expected url: http://HOST:PORT of import.testListenerArn's load balancer, or enabled: false\n" +
			"bad.yaml:9:19: environments[0].import.clusterArn: \"arn:aws:ecs:us-east-1:111111111111:cluster/staging\" is in region us-east-1; expected region eu-west-1 (the environment's account and region)\n" +
			"bad.yaml:12:24: environments[0].import.testListenerArn: is the production listener; expected a second listener on its own port\n" +
			"bad.yaml:13:24: environments[0].import.targetGroupArns: 1 given; expected exactly 2 (blue, then green)\n" +
			"bad.yaml:14:22: environments[0].import.deployRoleArn: \"arn:aws:iam:eu-west-1:111111111111:role/deploy\" has region \"eu-west-1\"; expected an IAM role ARN with an empty region"},
	{"health check tuning",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {healthCheckIntervalSeconds: 2, healthyThresholdCount: 1, deregistrationDelaySeconds: 4000}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:39: service.healthCheckIntervalSeconds: 2 is out of range; expected seconds from 5 to 300\n" +
			"bad.yaml:3:65: service.healthyThresholdCount: 1 is out of range; expected a count from 2 to 10\n" +
			"bad.yaml:3:96: service.deregistrationDelaySeconds: 4000 is out of range; expected seconds from 0 to 3600"},
	{"bootstrap image and log retention",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    service: {bootstrapImage: \"my image\", logRetentionDays: 10}\n",
		"bad.yaml:5:31: environments[0].service.bootstrapImage: \"my image\" is not an image reference; expected a name such as public.ecr.aws/nginx/nginx:stable\n" +
			"bad.yaml:5:61: environments[0].service.logRetentionDays: 10 is not a retention CloudWatch Logs offers; expected one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"},
	{"nat gateways",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging, natGateways: 3}]\n",
		"bad.yaml:3:45: environments[0].natGateways: 3 is out of range; expected NAT gateways from 0 to 2"},
	{"load balancer",
		"app: orders-api\npipeline: {account: \"111111111111\"}\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    loadBalancer:\n      internal: maybe\n      certificateArn: arn:aws:acm:eu-west-1:111111111111:certificate/0f0e0d0c-0b0a-4909-8807-060504030201\n      testListenerPort: 443\n",
		"bad.yaml:7:17: environments[0].loadBalancer.internal: expected true or false, got \"maybe\"\n" +
			"bad.yaml:8:23: environments[0].loadBalancer.certificateArn: \"arn:aws:acm:eu-west-1:111111111111:certificate/0f0e0d0c-0b0a-4909-8807-060504030201\" is in region eu-west-1; expected region us-east-1 (the environment's account and region)\n" +
			"bad.yaml:9:25: environments[0].loadBalancer.testListenerPort: 443 is a production listener port; expected another port, such as 9000"},
	{"rollback alarm thresholds",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    alarms: {target5xxPerMinute: 0, unhealthyHosts: 0, latencyP99Milliseconds: 5}\n",
		"bad.yaml:5:34: environments[0].alarms.target5xxPerMinute: 0 is out of range; expected responses per minute from 1 to 100000\n" +
			"bad.yaml:5:53: environments[0].alarms.unhealthyHosts: 0 is out of range; expected targets from 1 to 1000\n" +
			"bad.yaml:5:80: environments[0].alarms.latencyP99Milliseconds: 5 is out of range; expected milliseconds from 10 to 60000"},
	{"import with settings of created pieces",
		"app: orders-api\npipeline: {account: \"111111111111\"}\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    natGateways: 0\n    loadBalancer: {internal: true}\n    import:\n      vpcId: vpc-0a1b2c3d4e5f60718\n      subnetIds: [subnet-0a1b2c3d4e5f60711]\n      clusterArn: arn:aws:ecs:us-east-1:111111111111:cluster/staging\n      serviceName: orders-api\n      listenerArn: arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/a/0123456789abcdef/0123456789abcdef\n      testListenerArn: arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/a/0123456789abcdef/fedcba9876543210\n      targetGroupArns:\n        - arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/blue/0123456789abcdef\n        - arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/green/fedcba9876543210\n",
		"bad.yaml:5:5: environments[0].deployment.testTraffic: on, but an imported environment's test listener has no known address; expected url: http://HOST:PORT of import.testListenerArn's load balancer, or enabled: false\n" +
			"bad.yaml:6:18: environments[0].natGateways: cannot be used with import; expected the settings of what is created, or an import of what exists\n" +
			"bad.yaml:7:19: environments[0].loadBalancer: cannot be used with import; expected the settings of what is created, or an import of what exists"},
	{"unquoted pipeline account does not blame the environments",
		"app: orders-api\npipeline: {account: 111111111111}\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging, account: \"222222222222\"}]\n",
		"bad.yaml:2:21: pipeline.account: write the account id as a quoted string (\"111111111111\"); YAML reads unquoted digits as a number"},
	{"e-mails not a list does not blame the approval",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging, approval: true}]\nnotifications: {emails: ops@acme.example}\n",
		"bad.yaml:4:25: notifications.emails: expected a list, got \"ops@acme.example\""},
	{"a wrong pipeline region does not make correct ARNs wrong",
		"app: orders-api\npipeline: {account: \"111111111111\", region: us-east1}\nsource:\n  owner: acme\n  repo: orders-api\n  oauthTokenSecret: arn:aws:secretsmanager:us-east-1:111111111111:secret:github-token\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:45: pipeline.region: \"us-east1\" is not an AWS region; did you mean \"us-east-1\"?"},
	{"names that collide with derived names",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n  - name: staging-it\n  - name: dev-pipeline\n",
		"bad.yaml:5:11: environments[1].name: \"staging-it\" ends in \"-it\", a name ecsdelivery derives from other environments; expected another name\n" +
			"bad.yaml:6:11: environments[2].name: \"dev-pipeline\" contains \"pipeline\", which marks the pipeline's stack and the roles environments trust; expected another name"},
	{"environment variable that is a shared secret",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {secrets: {TOKEN: /orders/token}}\nenvironments:\n  - name: staging\n    service: {environment: {TOKEN: plain}}\n",
		"bad.yaml:6:36: environments[0].service.environment.TOKEN: TOKEN is both a plain variable and a secret; expected each name once"},
	{"empty values in an environment's maps",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    service: {secrets: {DB_PASSWORD: }, environment: {1BAD: }}\n",
		"bad.yaml:5:25: environments[0].service.secrets.DB_PASSWORD: \"\" is not a Parameter Store name; expected a name such as /orders/db-password\n" +
			"bad.yaml:5:55: environments[0].service.environment.1BAD: \"1BAD\" is not a variable name; expected letters, digits and '_', not starting with a digit"},
	{"cpu changed without memory",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {desiredCount: 1, cpu: 4096}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:33: service.cpu: memoryMiB 1024 does not fit cpu 4096 on Fargate; expected 8192 to 30720 MiB in steps of 1024"},
	{"alias reported where it is used",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {containerPort: &port 70000}\nenvironments:\n  - name: staging\n    service: {containerPort: *port}\n",
		"bad.yaml:3:26: service.containerPort: 70000 is out of range; expected a port from 1 to 65535\n" +
			"bad.yaml:6:30: environments[0].service.containerPort: 70000 is out of range; expected a port from 1 to 65535"},
	{"unknown anchor",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {cpu: *nope}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:16: invalid YAML: unknown anchor 'nope' referenced"},
	{"branch part starting with a dot",
		"app: orders-api\nsource: {owner: acme, repo: orders-api, branch: feature/.hidden}\nenvironments: [{name: staging}]\n",
		"bad.yaml:2:49: source.branch: \"feature/.hidden\" is not a valid git branch name; expected a name such as main or release/1.2, without spaces, '..', any of ~^:?*[\\, or a part starting with '.'"},
	{"environment in another region",
		"app: orders-api\npipeline: {account: \"111111111111\"}\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging, region: eu-west-1}]\n",
		"bad.yaml:4:40: environments[0].region: \"eu-west-1\" differs from the pipeline region us-east-1; expected the pipeline region (deploying across regions is not supported yet)"},
	{"no NAT without a private bootstrap image",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging, natGateways: 0}]\n",
		"bad.yaml:3:16: environments[0].deployment.testTraffic: on, but with natGateways 0 the check inside the VPC cannot reach the internet-facing load balancer's test listener; expected loadBalancer.internal: true, a NAT gateway, or enabled: false\n" +
			"bad.yaml:3:45: environments[0].natGateways: 0, but without NAT the tasks cannot pull the default bootstrap image from public.ecr.aws; expected service.bootstrapImage in a private ECR repository, or a NAT gateway"},
	{"integration test longer than a role session",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nintegrationTest: {command: [make, it], timeoutMinutes: 51}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:56: integrationTest.timeoutMinutes: 51 is out of range; expected minutes from 1 to 50"},
	{"unit test command with a NUL character",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nbuild: {unitTestCommand: \"make test\\0rm -rf /\"}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:26: build.unitTestCommand: holds a NUL character; expected a shell command"},
	{"build secrets: bad variable, bad name, reserved prefix",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nbuild:\n  secrets: {NPM-TOKEN: /orders/npm, TOKEN: \"not a name\", KEY: /ssm/key}\nenvironments: [{name: staging}]\n",
		"bad.yaml:4:24: build.secrets.NPM-TOKEN: \"NPM-TOKEN\" is not a variable name; expected letters, digits and '_', not starting with a digit\n" +
			"bad.yaml:4:44: build.secrets.TOKEN: \"not a name\" is not a Parameter Store name; expected a name such as /orders/db-password\n" +
			"bad.yaml:4:63: build.secrets.KEY: \"/ssm/key\" starts with a prefix Parameter Store reserves (aws, ssm); expected your own parameter name"},
	{"variable names the scripts or the platform read",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nbuild:\n  secrets: {AWS_REGION: /orders/region, BASH_ENV: \"not a name\"}\n" +
			"service:\n  environment: {PATH: /tmp, LD_PRELOAD: /tmp/x.so, APP_URL: x}\n  secrets: {NODE_OPTIONS: /orders/node, ECS_X: /orders/x}\n" +
			"environments:\n  - name: staging\n    service:\n      environment: {REPOSITORY_URI: x, CODEBUILD_BUILD_ID: y}\n      secrets: {TASKDEF_0: /orders/t, PORT_0: /orders/p}\n",
		"bad.yaml:4:13: build.secrets.AWS_REGION: \"AWS_REGION\" is reserved (AWS SDKs and CLI read it); expected a name that does not start with AWS_\n" +
			"bad.yaml:4:41: build.secrets.BASH_ENV: \"BASH_ENV\" is reserved (the shell reads it); expected another name\n" +
			"bad.yaml:4:51: build.secrets.BASH_ENV: \"not a name\" is not a Parameter Store name; expected a name such as /orders/db-password\n" +
			"bad.yaml:6:17: service.environment.PATH: \"PATH\" is reserved (the shell reads it); expected another name\n" +
			"bad.yaml:6:29: service.environment.LD_PRELOAD: \"LD_PRELOAD\" is reserved (the dynamic linker's); expected a name that does not start with LD_\n" +
			"bad.yaml:6:52: service.environment.APP_URL: \"APP_URL\" is reserved (the integration test's address of the app); expected another name\n" +
			"bad.yaml:7:13: service.secrets.NODE_OPTIONS: \"NODE_OPTIONS\" is reserved (Node.js reads it); expected another name\n" +
			"bad.yaml:7:41: service.secrets.ECS_X: \"ECS_X\" is reserved (ECS sets and reads it); expected a name that does not start with ECS_\n" +
			"bad.yaml:11:21: environments[0].service.environment.REPOSITORY_URI: \"REPOSITORY_URI\" is reserved (an input of the build scripts); expected another name\n" +
			"bad.yaml:11:40: environments[0].service.environment.CODEBUILD_BUILD_ID: \"CODEBUILD_BUILD_ID\" is reserved (CodeBuild sets it); expected a name that does not start with CODEBUILD_\n" +
			"bad.yaml:12:17: environments[0].service.secrets.TASKDEF_0: \"TASKDEF_0\" is reserved (an input of the build scripts); expected a name that does not start with TASKDEF_\n" +
			"bad.yaml:12:39: environments[0].service.secrets.PORT_0: \"PORT_0\" is reserved (an input of the build scripts); expected a name that does not start with PORT_"},
	// A key is printed in the field path; one that holds a newline or a terminal escape must not
	// start a line of its own or recolour the output.
	{"field names with control characters",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nbuild:\n  secrets: {\"A\\nbad.yaml:1:1: fine\": /orders/a}\n" +
			"service:\n  environment: {\"\\e[31mRED\": x}\nenvironments: [{name: staging, \"\\u202Eeman\": x}]\n",
		"bad.yaml:4:38: build.secrets.\"A\\nbad.yaml:1:1: fine\": \"A\\nbad.yaml:1:1: fine\" is not a variable name; expected letters, digits and '_', not starting with a digit\n" +
			"bad.yaml:6:30: service.environment.\"\\x1b[31mRED\": \"\\x1b[31mRED\" is not a variable name; expected letters, digits and '_', not starting with a digit\n" +
			"bad.yaml:7:32: environments[0].\"\\u202eeman\": unknown field; expected one of account, alarms, approval, deployment, import, loadBalancer, name, natGateways, region, service"},
	{"build secrets key in another region",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nbuild: {secrets: {NPM_TOKEN: /orders/npm}, secretsKeyArn: \"arn:aws:kms:eu-west-1:111111111111:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b\"}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:59: build.secretsKeyArn: \"arn:aws:kms:eu-west-1:111111111111:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b\" is in region eu-west-1; expected region us-east-1 (the pipeline)"},
	{"service secrets key given as an alias",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {secretsKeyArn: \"arn:aws:kms:us-east-1:111111111111:alias/orders\"}\nenvironments: [{name: staging}]\n",
		"bad.yaml:3:26: service.secretsKeyArn: \"arn:aws:kms:us-east-1:111111111111:alias/orders\" has resource \"alias/orders\"; expected a KMS key ARN ending in key/ID"},
	{"environment secrets key outside its region",
		"app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments:\n  - name: staging\n    service: {secretsKeyArn: \"arn:aws:kms:eu-west-1:111111111111:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b\"}\n",
		"bad.yaml:5:30: environments[0].service.secretsKeyArn: \"arn:aws:kms:eu-west-1:111111111111:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b\" is in region eu-west-1; expected a key in us-east-1, the region of environment staging"},
}

func TestBadConfigs(t *testing.T) {
	if len(badCases) < 25 {
		t.Fatalf("only %d bad configs; the table must cover at least 25", len(badCases))
	}
	for _, tc := range badCases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("bad.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("Parse accepted the config: %+v", cfg)
			}
			var problems Problems
			if !errors.As(err, &problems) {
				t.Fatalf("got error %T %q; want Problems", err, err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("problems differ (-want +got):\n%s", lineDiff(tc.want, got))
			}
		})
	}
}

// TestBadCasesCoverEveryField walks the contract's types and fails for any field no bad case
// reports a problem at, so a new field cannot arrive without its bad input.
func TestBadCasesCoverEveryField(t *testing.T) {
	reported := map[string]bool{}
	index := regexp.MustCompile(`\[\d+\]`)
	for _, tc := range badCases {
		for _, line := range strings.Split(tc.want, "\n") {
			// "bad.yaml:4:24: build.secrets.NPM-TOKEN: ..." → build.secrets.NPM-TOKEN and its parents
			parts := strings.SplitN(line, ": ", 3)
			if len(parts) < 3 {
				continue
			}
			path := index.ReplaceAllString(parts[1], "")
			for p := path; p != ""; p = p[:max(strings.LastIndex(p, "."), 0)] {
				reported[p] = true
				if !strings.Contains(p, ".") {
					break
				}
			}
		}
	}
	var missing []string
	for _, field := range contractFields(reflect.TypeOf(Config{}), "") {
		// A field shared by every environment's service is covered by either place.
		alt := strings.Replace(field, "environments.service.", "service.", 1)
		if !reported[field] && !reported[alt] && !reported["environments."+strings.TrimPrefix(field, "service.")] &&
			!reported[strings.Replace(field, "service.", "environments.service.", 1)] {
			missing = append(missing, field)
		}
	}
	if len(missing) > 0 {
		t.Errorf("no bad case reports a problem at: %s", strings.Join(missing, ", "))
	}
}

// contractFields lists the YAML paths of every leaf field (maps count as leaves; their keys
// are free), without list indexes.
func contractFields(typ reflect.Type, prefix string) []string {
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct {
		return []string{prefix}
	}
	var out []string
	for i := 0; i < typ.NumField(); i++ {
		name := strings.Split(typ.Field(i).Tag.Get("yaml"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		if prefix != "" {
			name = prefix + "." + name
		}
		out = append(out, contractFields(typ.Field(i).Type, name)...)
	}
	return out
}

// lineDiff shows which lines of two multi-line texts differ.
func lineDiff(want, got string) string {
	return cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n"))
}
