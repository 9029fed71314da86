// Copyright 2026 the pairbench authors. Licensed under the Apache License, Version 2.0.

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Names of the variables that carry the previous run's output into update and delete commands
// (same names as upstream).
const (
	envPrevStdout = "PULUMI_COMMAND_STDOUT"
	envPrevStderr = "PULUMI_COMMAND_STDERR"
)

// Logging modes of the `logging` input (same values as upstream's enum).
const (
	logStdout          = "stdout"
	logStderr          = "stderr"
	logStdoutAndStderr = "stdoutAndStderr"
	logNone            = "none"
)

// maxErrorOutput bounds how much of a failed command's output goes into the error message.
const maxErrorOutput = 32 << 10

// runSpec is everything needed to run one local command.
type runSpec struct {
	command      string
	interpreter  []string
	dir          string
	env          []string // extra KEY=VALUE pairs
	stdin        string
	hasStdin     bool
	logging      string
	assetPaths   []string
	archivePaths []string
}

type runResult struct {
	stdout  string
	stderr  string
	assets  resource.PropertyValue // null unless assetPaths was given
	archive resource.PropertyValue // null unless archivePaths was given
}

// localInputKeys are the inputs of command:local:Command.
var localInputKeys = []string{
	"addPreviousOutputInEnv", "archivePaths", "assetPaths", "create", "delete", "dir",
	"environment", "interpreter", "logging", "stdin", "triggers", "update",
}

// runInputKeys are the arguments of the command:local:run function.
var runInputKeys = []string{
	"addPreviousOutputInEnv", "archivePaths", "assetPaths", "command", "dir",
	"environment", "interpreter", "logging", "stdin",
}

// specFromInputs reads the shared inputs (everything but the command text) of a local command.
// prev holds the previous outputs (stdout, stderr) for addPreviousOutputInEnv, or nil.
func specFromInputs(in resource.PropertyMap, command string, prev resource.PropertyMap) (runSpec, error) {
	spec := runSpec{command: command}
	var err error
	if spec.interpreter, err = optStringList(in, "interpreter"); err != nil {
		return spec, err
	}
	if spec.dir, _, err = optString(in, "dir"); err != nil {
		return spec, err
	}
	if spec.env, err = optStringMap(in, "environment"); err != nil {
		return spec, err
	}
	if spec.stdin, spec.hasStdin, err = optString(in, "stdin"); err != nil {
		return spec, err
	}
	if spec.logging, _, err = optString(in, "logging"); err != nil {
		return spec, err
	}
	switch spec.logging {
	case "":
		spec.logging = logStdoutAndStderr
	case logStdout, logStderr, logStdoutAndStderr, logNone:
	default:
		return spec, fmt.Errorf("logging must be one of stdout, stderr, stdoutAndStderr, none; not %q", spec.logging)
	}
	if spec.assetPaths, err = optStringList(in, "assetPaths"); err != nil {
		return spec, err
	}
	if spec.archivePaths, err = optStringList(in, "archivePaths"); err != nil {
		return spec, err
	}
	addPrev, err := optBool(in, "addPreviousOutputInEnv", true)
	if err != nil {
		return spec, err
	}
	if addPrev && prev != nil {
		if s, ok, _ := optString(prev, "stdout"); ok && s != "" {
			spec.env = append(spec.env, envPrevStdout+"="+s)
		}
		if s, ok, _ := optString(prev, "stderr"); ok && s != "" {
			spec.env = append(spec.env, envPrevStderr+"="+s)
		}
	}
	return spec, nil
}

// lineLogger splits what is written to it into lines and hands each to emit.
type lineLogger struct {
	mu   sync.Mutex
	buf  []byte
	emit func(string)
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.emit(strings.TrimRight(string(l.buf[:i]), "\r"))
		l.buf = l.buf[i+1:]
	}
	return len(p), nil
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(string(l.buf))
		l.buf = nil
	}
}

// lockedBuffer is a bytes.Buffer safe for the two copying goroutines of os/exec.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runLocal runs spec.command through the interpreter (default /bin/sh -c) and collects its
// output. log receives the lines selected by spec.logging. The whole process group is killed
// when ctx is cancelled.
func runLocal(ctx context.Context, spec runSpec, log func(string)) (runResult, error) {
	res := runResult{assets: resource.NewNullProperty(), archive: resource.NewNullProperty()}
	args := append([]string{}, spec.interpreter...)
	if len(args) == 0 {
		args = []string{"/bin/sh", "-c"}
	}
	args = append(args, spec.command)

	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	if spec.dir != "" {
		cmd.Dir = spec.dir
	} else {
		wd, err := os.Getwd()
		if err != nil {
			return res, err
		}
		cmd.Dir = wd
	}
	cmd.Env = append(os.Environ(), spec.env...)
	if spec.hasStdin && spec.stdin != "" {
		cmd.Stdin = strings.NewReader(spec.stdin)
	}

	var stdout, stderr, combined lockedBuffer
	logger := &lineLogger{emit: log}
	outWriters := []io.Writer{&stdout, &combined}
	errWriters := []io.Writer{&stderr, &combined}
	if spec.logging == logStdout || spec.logging == logStdoutAndStderr {
		outWriters = append(outWriters, logger)
	}
	if spec.logging == logStderr || spec.logging == logStdoutAndStderr {
		errWriters = append(errWriters, logger)
	}
	cmd.Stdout = io.MultiWriter(outWriters...)
	cmd.Stderr = io.MultiWriter(errWriters...)

	err := cmd.Run()
	logger.flush()
	if err != nil {
		out := combined.String()
		if len(out) > maxErrorOutput {
			out = "…(output truncated)…\n" + out[len(out)-maxErrorOutput:]
		}
		return res, fmt.Errorf("%w: running %q:\n%s", err, spec.command, out)
	}

	if spec.assetPaths != nil {
		assets, err := globAssets(cmd.Dir, spec.assetPaths)
		if err != nil {
			return res, err
		}
		m := resource.PropertyMap{}
		for p, a := range assets {
			m[resource.PropertyKey(p)] = resource.NewAssetProperty(a)
		}
		res.assets = resource.NewObjectProperty(m)
	}
	if spec.archivePaths != nil {
		assets, err := globAssets(cmd.Dir, spec.archivePaths)
		if err != nil {
			return res, err
		}
		members := map[string]any{}
		for p, a := range assets {
			members[p] = a
		}
		archive, err := resource.NewAssetArchive(members)
		if err != nil {
			return res, err
		}
		res.archive = resource.NewArchiveProperty(archive)
	}

	res.stdout = strings.TrimSuffix(stdout.String(), "\n")
	res.stderr = strings.TrimSuffix(stderr.String(), "\n")
	return res, nil
}

// globToRegexp translates the glob dialect upstream documents (gobwas/glob with '/' as
// separator: `*` within a path segment, `**` across segments, `?`, `[...]`, `[!...]`, `{a,b}`).
func globToRegexp(g string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	depth := 0
	for i := 0; i < len(g); i++ {
		c := g[i]
		switch c {
		case '*':
			if i+1 < len(g) && g[i+1] == '*' {
				b.WriteString(".*")
				i++
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			j := strings.IndexByte(g[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("unterminated [ in glob %q", g)
			}
			class := g[i+1 : i+j]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + class + "]")
			i += j
		case '{':
			depth++
			b.WriteString("(?:")
		case '}':
			if depth == 0 {
				return nil, fmt.Errorf("unbalanced } in glob %q", g)
			}
			depth--
			b.WriteString(")")
		case ',':
			if depth > 0 {
				b.WriteString("|")
			} else {
				b.WriteString(",")
			}
		case '\\':
			if i+1 < len(g) {
				i++
				b.WriteString(regexp.QuoteMeta(string(g[i])))
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced { in glob %q", g)
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// globAssets returns the files under dir matched by the rules (in order; `!` excludes), keyed by
// their slash-separated path relative to dir.
func globAssets(dir string, globs []string) (map[string]*resource.Asset, error) {
	type rule struct {
		re      *regexp.Regexp
		exclude bool
	}
	rules := make([]rule, 0, len(globs))
	for _, g := range globs {
		r := rule{exclude: strings.HasPrefix(g, "!")}
		re, err := globToRegexp(strings.TrimPrefix(g, "!"))
		if err != nil {
			return nil, err
		}
		r.re = re
		rules = append(rules, r)
	}
	assets := map[string]*resource.Asset{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		for _, r := range rules {
			if !r.re.MatchString(p) {
				continue
			}
			if r.exclude {
				delete(assets, p)
				continue
			}
			a, err := resource.NewPathAsset(path.Join(dir, p))
			if err != nil {
				return err
			}
			assets[p] = a
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return assets, nil
}
