// Package spec holds the facts that the config checks, the constructs and the pipeline's scripts
// must agree on: the variable names the platform and the scripts reserve, and the pinned builder
// image. It depends on neither the config nor CDK, so every side can import it cheaply.
package spec
