// Package testtraffic holds the code of the function that, during a blue/green deployment,
// sends test traffic through the environment's test listener to the new tasks and fails the
// deployment, before any production traffic moves, unless every answer is right and fast.
package testtraffic

import _ "embed"

// Code is the function's source (Node.js), deployed inline. It answers CodeDeploy's
// AfterAllowTestTraffic hook (reporting with PutLifecycleEventHookExecutionStatus) and ECS's
// blue/green lifecycle hooks (returning hookStatus). Its environment variables: TARGET_URL (the
// test listener, http(s)://HOST:PORT), PATHS (a JSON array), EXPECT_STATUS, REQUESTS (per path),
// MAX_LATENCY_MS, ENVIRONMENT (a name for messages) and TOPIC_ARN (optional; told of failures).
//
//go:embed check.js
var Code string
