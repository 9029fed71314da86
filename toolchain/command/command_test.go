// Copyright 2026 the pairbench authors. Licensed under the Apache License, Version 2.0.

package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestGlobToRegexp(t *testing.T) {
	cases := []struct {
		glob  string
		match []string
		not   []string
	}{
		{"*.txt", []string{"a.txt"}, []string{"d/a.txt", "a.txt.bak"}},
		{"assets/**", []string{"assets/a", "assets/logos/logo.svg"}, []string{"src/a"}},
		{"src/**.js", []string{"src/index.js", "src/x/y.js"}, []string{"src/index.ts"}},
		{"?.{md,txt}", []string{"a.md", "b.txt"}, []string{"ab.md", "a.go"}},
		{"[!a]x", []string{"bx"}, []string{"ax"}},
	}
	for _, c := range cases {
		re, err := globToRegexp(c.glob)
		if err != nil {
			t.Fatalf("%s: %v", c.glob, err)
		}
		for _, m := range c.match {
			if !re.MatchString(m) {
				t.Errorf("%s should match %s", c.glob, m)
			}
		}
		for _, m := range c.not {
			if re.MatchString(m) {
				t.Errorf("%s should not match %s", c.glob, m)
			}
		}
	}
	if _, err := globToRegexp("{a"); err == nil {
		t.Error("unbalanced { accepted")
	}
}

func TestGlobAssetsOrderAndExcludes(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"assets/logos/logo.svg", "src/index.js", "src/secret.js"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := globAssets(dir, []string{"assets/**", "src/**.js", "!**secret.*"})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"assets/logos/logo.svg", "src/index.js"}; !slices.Equal(keys, want) {
		t.Fatalf("got %v, want %v", keys, want)
	}
}

func TestRunLocalEnvironmentAndPreviousOutput(t *testing.T) {
	in := resource.PropertyMap{
		"environment": resource.NewObjectProperty(resource.PropertyMap{
			"GREETING": resource.MakeSecret(resource.NewStringProperty("hi")),
		}),
		"stdin": resource.NewStringProperty("from stdin"),
	}
	prev := resource.PropertyMap{"stdout": resource.NewStringProperty("old out")}
	spec, err := specFromInputs(in, `echo "$GREETING|$PULUMI_COMMAND_STDOUT|$(cat)"; echo err >&2`, prev)
	if err != nil {
		t.Fatal(err)
	}
	var logged []string
	res, err := runLocal(context.Background(), spec, func(l string) { logged = append(logged, l) })
	if err != nil {
		t.Fatal(err)
	}
	if res.stdout != "hi|old out|from stdin" || res.stderr != "err" {
		t.Fatalf("stdout %q stderr %q", res.stdout, res.stderr)
	}
	if len(logged) != 2 {
		t.Fatalf("logged %q", logged)
	}

	// addPreviousOutputInEnv: false hides the previous output; logging none logs nothing.
	in["addPreviousOutputInEnv"] = resource.NewBoolProperty(false)
	in["logging"] = resource.NewStringProperty("none")
	spec, _ = specFromInputs(in, `printf %s "$PULUMI_COMMAND_STDOUT"`, prev)
	logged = nil
	res, err = runLocal(context.Background(), spec, func(l string) { logged = append(logged, l) })
	if err != nil || res.stdout != "" || len(logged) != 0 {
		t.Fatalf("res %+v err %v logged %q", res, err, logged)
	}
}

func TestRunLocalFailureNamesCommandAndOutput(t *testing.T) {
	spec, _ := specFromInputs(resource.PropertyMap{}, "echo boom >&2; exit 3", nil)
	_, err := runLocal(context.Background(), spec, func(string) {})
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "boom") ||
		!strings.Contains(err.Error(), `"echo boom >&2; exit 3"`) {
		t.Fatalf("error %v", err)
	}
}

func TestRunLocalInterpreterAndDir(t *testing.T) {
	dir := t.TempDir()
	in := resource.PropertyMap{
		"interpreter": resource.NewArrayProperty([]resource.PropertyValue{
			resource.NewStringProperty("/bin/bash"), resource.NewStringProperty("-c"),
		}),
		"dir": resource.NewStringProperty(dir),
	}
	spec, _ := specFromInputs(in, `[[ -n $BASH_VERSION ]] && pwd`, nil)
	res, err := runLocal(context.Background(), spec, func(string) {})
	if err != nil || res.stdout != dir {
		t.Fatalf("res %+v err %v", res, err)
	}
}

func TestDiffInputs(t *testing.T) {
	olds := resource.PropertyMap{
		"create":                 resource.NewStringProperty("echo a"),
		"addPreviousOutputInEnv": resource.NewBoolProperty(true),
		"triggers":               resource.NewArrayProperty([]resource.PropertyValue{resource.NewStringProperty("1")}),
	}
	same := olds.Copy()
	if d := diffInputs(tokLocalCommand, olds, same, nil); d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("no change expected, got %v", d)
	}

	news := olds.Copy()
	news["create"] = resource.NewStringProperty("echo b")
	d := diffInputs(tokLocalCommand, olds, news, nil)
	if d.Changes != pulumirpc.DiffResponse_DIFF_SOME || !slices.Equal(d.Diffs, []string{"create"}) || len(d.Replaces) != 0 {
		t.Fatalf("update expected, got %v", d)
	}
	if d := diffInputs(tokLocalCommand, olds, news, []string{"create"}); d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("ignoreChanges not honoured: %v", d)
	}

	news = olds.Copy()
	news["triggers"] = resource.NewArrayProperty([]resource.PropertyValue{resource.NewStringProperty("2")})
	d = diffInputs(tokLocalCommand, olds, news, nil)
	if !slices.Equal(d.Replaces, []string{"triggers"}) || d.DetailedDiff["triggers"].Kind != pulumirpc.PropertyDiff_UPDATE_REPLACE {
		t.Fatalf("replace expected, got %v", d)
	}

	news = olds.Copy()
	news["dir"] = resource.MakeComputed(resource.NewStringProperty(""))
	d = diffInputs(tokLocalCommand, olds, news, nil)
	if d.DetailedDiff["dir"].GetKind() != pulumirpc.PropertyDiff_ADD {
		t.Fatalf("unknown new input should be a change: %v", d)
	}
}

func TestLocalOutputsAreSecretWhenAnInputIs(t *testing.T) {
	in := resource.PropertyMap{"create": resource.MakeSecret(resource.NewStringProperty("echo s"))}
	res := runResult{stdout: "s", assets: resource.NewNullProperty(), archive: resource.NewNullProperty()}
	outs := localOutputs(in, res)
	if !outs["stdout"].IsSecret() || !outs["stderr"].IsSecret() {
		t.Fatalf("outputs not secret: %v", outs)
	}
	plainIn := resource.PropertyMap{"create": resource.NewStringProperty("echo s")}
	if localOutputs(plainIn, res)["stdout"].IsSecret() {
		t.Fatal("stdout secret without a secret input")
	}
}
