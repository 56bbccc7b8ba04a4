package diagram

import "strings"

// project is what a CodeBuild action's project tells: its name and description, its
// variables, and the role it assumes.
type project struct {
	id, name, description string
	// vars are its plain environment variables, by name, unrendered.
	vars map[string]any
	// assumes is the ARN of the role the project assumes (its DEPLOY_ROLE_ARN, or the one
	// role its own role may sts:AssumeRole), or "".
	assumes string
}

// project reads the project a CodeBuild action's ProjectName names: by {"Ref"} to a project of
// this template, or by its literal name.
func (t *template) project(v any) project {
	id := refID(v)
	if t.typeOf(id) != "AWS::CodeBuild::Project" {
		id = ""
		for _, p := range t.ofType("AWS::CodeBuild::Project") {
			if name := str(get(t.props(p), "Name")); name != "" && name == str(v) {
				id = p
			}
		}
	}
	if id == "" {
		return project{name: t.name(v)}
	}
	props := t.props(id)
	pr := project{id: id, name: t.name(v), description: str(get(props, "Description")), vars: map[string]any{}}
	for _, e := range list(get(props, "Environment", "EnvironmentVariables")) {
		n, typ := str(get(e, "Name")), str(get(e, "Type"))
		if n != "" && (typ == "" || strings.EqualFold(typ, "PLAINTEXT")) {
			pr.vars[n] = get(e, "Value")
		}
	}
	if r := pr.vars["DEPLOY_ROLE_ARN"]; r != nil {
		pr.assumes = t.render(r)
	} else if roles := t.assumable(refID(get(props, "ServiceRole"))); len(roles) == 1 {
		pr.assumes = roles[0]
	}
	return pr
}

// assumable is the ARNs a role of this template may sts:AssumeRole, from its policies.
func (t *template) assumable(role string) []string {
	if role == "" {
		return nil
	}
	var docs []any
	for _, p := range list(get(t.props(role), "Policies")) {
		docs = append(docs, get(p, "PolicyDocument"))
	}
	for _, id := range t.ofType("AWS::IAM::Policy") {
		for _, r := range list(get(t.props(id), "Roles")) {
			if refID(r) == role {
				docs = append(docs, get(t.props(id), "PolicyDocument"))
			}
		}
	}
	var arns []string
	for _, d := range docs {
		for _, s := range list(get(d, "Statement")) {
			if str(get(s, "Effect")) != "Allow" || !allowsAssumeRole(get(s, "Action")) {
				continue
			}
			for _, r := range list(get(s, "Resource")) {
				arns = append(arns, t.render(r))
			}
		}
	}
	return arns
}

// allowsAssumeRole reports whether a statement's Action names sts:AssumeRole.
func allowsAssumeRole(v any) bool {
	for _, a := range list(v) {
		if strings.EqualFold(str(a), "sts:AssumeRole") {
			return true
		}
	}
	return false
}

// projectByVariable is the first project of the template that has the variable, in logical-ID
// order.
func (t *template) projectByVariable(name string) (project, bool) {
	for _, id := range t.ofType("AWS::CodeBuild::Project") {
		pr := t.project(map[string]any{"Ref": id})
		if _, ok := pr.vars[name]; ok {
			return pr, true
		}
	}
	return project{}, false
}
