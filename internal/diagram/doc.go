// Package diagram draws a delivery pipeline from a synthesised cloud assembly: its stages and
// actions in order, each environment's account, region and deploy role, and the gates that can
// stop a release. Everything drawn is read from the templates CDK wrote (never from the config
// or a hand-kept list), so the drawing cannot drift from what is deployed.
//
// Load reads an assembly directory (cdk.out) and models every pipeline in it; FromTemplate models
// one pipeline template. Mermaid and SVG render the models: a Mermaid flowchart for Markdown,
// and a self-contained SVG document for a design review.
package diagram
