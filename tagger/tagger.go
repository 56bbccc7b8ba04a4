// Package tagger holds the code of the function that, at the start of each deploy stage, tags
// the image being deployed deployed-<environment> and the one it replaces
// deployed-<environment>-previous, so that the repository's lifecycle policy never expires what
// an environment runs or may roll back to.
package tagger

import _ "embed"

// Code is the function's source (Node.js), deployed inline. It runs as a CodePipeline Lambda
// invoke action with the user parameters {"environment": "<name>"} and the environment
// variables REPOSITORY_NAME and REPOSITORY_URI; it reads imageDetail.json from the stage's
// input artifact with the job's artifact credentials.
//
//go:embed tag.js
var Code string
