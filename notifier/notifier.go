// Package notifier holds the code of the pipeline's notifier function, which turns pipeline state
// changes into metrics and readable messages.
package notifier

import _ "embed"

// Code is the function's source (Node.js), deployed inline.
//
//go:embed notify.js
var Code string
