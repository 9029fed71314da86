// Copyright 2026 the pairbench authors. Licensed under the Apache License, Version 2.0.

package main

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// remoteCommandInputKeys are the inputs of command:remote:Command.
var remoteCommandInputKeys = []string{
	"addPreviousOutputInEnv", "connection", "create", "delete", "environment", "logging",
	"stdin", "triggers", "update",
}

// copyToRemoteInputKeys are the inputs of command:remote:CopyToRemote.
var copyToRemoteInputKeys = []string{"connection", "remotePath", "source", "triggers"}

// Defaults of the connection (same as upstream's schema; the npm SDK also applies them).
const (
	defaultUser           = "root"
	defaultPort           = 22
	defaultDialErrorLimit = 10
	defaultPerDialTimeout = 15 // seconds
)

// endpoint is one SSH hop: the target or its proxy (jump host).
type endpoint struct {
	host               string
	port               int
	user               string
	password           string
	hasPassword        bool
	privateKey         string
	privateKeyPassword string
	agentSocketPath    string
	hostKey            string
	dialErrorLimit     int // -1: unlimited
	perDialTimeout     time.Duration
}

type connection struct {
	endpoint
	proxy *endpoint
}

func optInt(m resource.PropertyMap, key string, def int) (int, error) {
	v := plain(m[resource.PropertyKey(key)])
	switch {
	case v.IsNull():
		return def, nil
	case v.IsNumber():
		return int(v.NumberValue()), nil
	default:
		return def, fmt.Errorf("%s must be a number, not %s", key, v.TypeString())
	}
}

func parseEndpoint(m resource.PropertyMap, where string) (endpoint, error) {
	var e endpoint
	var err error
	wrap := func(err error) error { return fmt.Errorf("%s: %w", where, err) }
	var ok bool
	if e.host, ok, err = optString(m, "host"); err != nil {
		return e, wrap(err)
	} else if !ok || e.host == "" {
		return e, wrap(errors.New("host is required"))
	}
	if e.port, err = optInt(m, "port", defaultPort); err != nil {
		return e, wrap(err)
	}
	if e.user, ok, err = optString(m, "user"); err != nil {
		return e, wrap(err)
	} else if !ok {
		e.user = defaultUser
	}
	if e.password, e.hasPassword, err = optString(m, "password"); err != nil {
		return e, wrap(err)
	}
	for key, dst := range map[string]*string{
		"privateKey": &e.privateKey, "privateKeyPassword": &e.privateKeyPassword,
		"agentSocketPath": &e.agentSocketPath, "hostKey": &e.hostKey,
	} {
		if *dst, _, err = optString(m, key); err != nil {
			return e, wrap(err)
		}
	}
	if e.dialErrorLimit, err = optInt(m, "dialErrorLimit", defaultDialErrorLimit); err != nil {
		return e, wrap(err)
	}
	timeout, err := optInt(m, "perDialTimeout", defaultPerDialTimeout)
	if err != nil {
		return e, wrap(err)
	}
	e.perDialTimeout = time.Duration(timeout) * time.Second
	return e, nil
}

// parseConnection reads the `connection` input.
func parseConnection(in resource.PropertyMap) (connection, error) {
	var c connection
	v := plain(in["connection"])
	if v.IsComputed() {
		return c, errors.New("connection is not known yet")
	}
	if !v.IsObject() {
		return c, errors.New("connection is required")
	}
	obj := v.ObjectValue()
	var err error
	if c.endpoint, err = parseEndpoint(obj, "connection"); err != nil {
		return c, err
	}
	if p := plain(obj["proxy"]); p.IsObject() {
		proxy, err := parseEndpoint(p.ObjectValue(), "connection.proxy")
		if err != nil {
			return c, err
		}
		c.proxy = &proxy
	}
	return c, nil
}

func (e endpoint) address() string { return net.JoinHostPort(e.host, strconv.Itoa(e.port)) }

func (e endpoint) clientConfig() (*ssh.ClientConfig, func(), error) {
	cfg := &ssh.ClientConfig{
		User:            e.user,
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), //nolint:gosec // upstream's default; hostKey pins it
		Timeout:         e.perDialTimeout,
	}
	cleanup := func() {}
	if e.hostKey != "" {
		key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(e.hostKey))
		if err != nil {
			return nil, cleanup, fmt.Errorf("hostKey: %w", err)
		}
		cfg.HostKeyCallback = ssh.FixedHostKey(key)
	}
	if e.privateKey != "" {
		var signer ssh.Signer
		var err error
		if e.privateKeyPassword != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(e.privateKey), []byte(e.privateKeyPassword))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(e.privateKey))
		}
		if err != nil {
			return nil, cleanup, fmt.Errorf("privateKey: %w", err)
		}
		cfg.Auth = append(cfg.Auth, ssh.PublicKeys(signer))
	}
	if e.hasPassword {
		pw := e.password
		cfg.Auth = append(cfg.Auth, ssh.Password(pw), ssh.KeyboardInteractive(
			func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	sock := e.agentSocketPath
	if sock == "" {
		sock = os.Getenv("SSH_AUTH_SOCK")
	}
	if sock != "" {
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return nil, cleanup, fmt.Errorf("ssh agent at %s: %w", sock, err)
		}
		cleanup = func() { _ = conn.Close() }
		cfg.Auth = append(cfg.Auth, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
	}
	return cfg, cleanup, nil
}

// retry calls f until it succeeds, limit attempts fail (-1: no limit), or ctx ends; status
// reports each failed attempt.
func retry[T any](ctx context.Context, what string, limit int, status func(string), f func() (T, error)) (T, error) {
	delay := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		v, err := f()
		if err == nil {
			return v, nil
		}
		if limit >= 0 && attempt > limit {
			return v, fmt.Errorf("%s: after %d failed attempts: %w", what, attempt, err)
		}
		max := "inf"
		if limit >= 0 {
			max = strconv.Itoa(limit + 1)
		}
		status(fmt.Sprintf("%s %d/%s failed: retrying (%v)", what, attempt, max, err))
		select {
		case <-ctx.Done():
			return v, fmt.Errorf("%s: %w (last error: %v)", what, ctx.Err(), err)
		case <-time.After(delay):
		}
		delay = min(delay*3/2, 5*time.Second)
	}
}

// dial opens the SSH client for c, through its proxy when it has one. The returned closer
// closes everything opened.
func (c connection) dial(ctx context.Context, status func(string)) (*ssh.Client, func(), error) {
	cfg, cleanup, err := c.clientConfig()
	if err != nil {
		return nil, cleanup, err
	}
	if c.proxy == nil {
		client, err := retry(ctx, "Dial "+c.address(), c.dialErrorLimit, status, func() (*ssh.Client, error) {
			return ssh.Dial("tcp", c.address(), cfg)
		})
		if err != nil {
			cleanup()
			return nil, func() {}, err
		}
		return client, func() { _ = client.Close(); cleanup() }, nil
	}

	pcfg, pcleanup, err := c.proxy.clientConfig()
	if err != nil {
		cleanup()
		return nil, func() {}, fmt.Errorf("proxy: %w", err)
	}
	closeAll := func() { pcleanup(); cleanup() }
	proxyClient, err := retry(ctx, "Dial proxy "+c.proxy.address(), c.proxy.dialErrorLimit, status, func() (*ssh.Client, error) {
		return ssh.Dial("tcp", c.proxy.address(), pcfg)
	})
	if err != nil {
		closeAll()
		return nil, func() {}, fmt.Errorf("proxy: %w", err)
	}
	client, err := retry(ctx, "Dial "+c.address()+" from proxy", c.dialErrorLimit, status, func() (*ssh.Client, error) {
		conn, err := proxyClient.Dial("tcp", c.address())
		if err != nil {
			return nil, err
		}
		cc, chans, reqs, err := ssh.NewClientConn(conn, c.address(), cfg)
		if err != nil {
			_ = conn.Close()
			return nil, err
		}
		return ssh.NewClient(cc, chans, reqs), nil
	})
	if err != nil {
		_ = proxyClient.Close()
		closeAll()
		return nil, func() {}, fmt.Errorf("proxy: %w", err)
	}
	return client, func() { _ = client.Close(); _ = proxyClient.Close(); closeAll() }, nil
}

// remoteRun is one command on the remote host.
type remoteRun struct {
	command  string
	env      []string // KEY=VALUE, set with SSH "env" requests (the server must AcceptEnv them)
	prevEnv  []string // PULUMI_COMMAND_STDOUT/STDERR: best effort, a warning when refused
	stdin    io.Reader
	logging  string
	logLine  func(string)
	warn     func(string)
	status   func(string)
	conn     connection
	outLimit int
}

// run executes r on the remote host and returns stdout and stderr (trailing newline trimmed).
func (r remoteRun) run(ctx context.Context) (string, string, error) {
	client, closeClient, err := r.conn.dial(ctx, r.status)
	if err != nil {
		return "", "", err
	}
	defer closeClient()
	session, err := client.NewSession()
	if err != nil {
		return "", "", fmt.Errorf("ssh session to %s: %w", r.conn.address(), err)
	}
	defer session.Close()
	for _, kv := range r.env {
		k, v, _ := strings.Cut(kv, "=")
		if err := session.Setenv(k, v); err != nil {
			return "", "", fmt.Errorf("could not set environment variable %q on %s: %w (the SSH server must "+
				"accept it via AcceptEnv; or prefix the command with 'VAR=value')", k, r.conn.host, err)
		}
	}
	for _, kv := range r.prevEnv {
		k, v, _ := strings.Cut(kv, "=")
		if err := session.Setenv(k, v); err != nil {
			r.warn(fmt.Sprintf("unable to set %s on %s (the SSH server does not accept it via AcceptEnv)", k, r.conn.host))
		}
	}
	if r.stdin != nil {
		session.Stdin = r.stdin
	}
	var stdout, stderr, combined lockedBuffer
	logger := &lineLogger{emit: r.logLine}
	outW := []io.Writer{&stdout, &combined}
	errW := []io.Writer{&stderr, &combined}
	if r.logging == logStdout || r.logging == logStdoutAndStderr {
		outW = append(outW, logger)
	}
	if r.logging == logStderr || r.logging == logStdoutAndStderr {
		errW = append(errW, logger)
	}
	session.Stdout = io.MultiWriter(outW...)
	session.Stderr = io.MultiWriter(errW...)

	done := make(chan error, 1)
	go func() { done <- session.Run(r.command) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = session.Signal(ssh.SIGKILL)
		closeClient()
		err = ctx.Err()
	}
	logger.flush()
	if err != nil {
		out := combined.String()
		if len(out) > maxErrorOutput {
			out = "…(output truncated)…\n" + out[len(out)-maxErrorOutput:]
		}
		return "", "", fmt.Errorf("%w: running %q on %s:\n%s", err, r.command, r.conn.host, out)
	}
	return strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n"), nil
}

// remoteRunFromInputs prepares a command:remote:Command run of command with the resource's
// inputs; prev holds the previous outputs for addPreviousOutputInEnv (or nil).
func remoteRunFromInputs(in resource.PropertyMap, command string, prev resource.PropertyMap) (remoteRun, error) {
	r := remoteRun{command: command}
	var err error
	if r.conn, err = parseConnection(in); err != nil {
		return r, err
	}
	if r.env, err = optStringMap(in, "environment"); err != nil {
		return r, err
	}
	stdin, hasStdin, err := optString(in, "stdin")
	if err != nil {
		return r, err
	}
	if hasStdin && stdin != "" {
		r.stdin = strings.NewReader(stdin)
	}
	if r.logging, _, err = optString(in, "logging"); err != nil {
		return r, err
	}
	switch r.logging {
	case "":
		r.logging = logStdoutAndStderr
	case logStdout, logStderr, logStdoutAndStderr, logNone:
	default:
		return r, fmt.Errorf("logging must be one of stdout, stderr, stdoutAndStderr, none; not %q", r.logging)
	}
	addPrev, err := optBool(in, "addPreviousOutputInEnv", true)
	if err != nil {
		return r, err
	}
	if addPrev && prev != nil {
		if s, ok, _ := optString(prev, "stdout"); ok && s != "" {
			r.prevEnv = append(r.prevEnv, envPrevStdout+"="+s)
		}
		if s, ok, _ := optString(prev, "stderr"); ok && s != "" {
			r.prevEnv = append(r.prevEnv, envPrevStderr+"="+s)
		}
	}
	return r, nil
}

// shellQuote quotes s as one POSIX shell word.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// copySource returns the local path of a CopyToRemote `source` (a path-based asset or archive).
func copySource(in resource.PropertyMap) (string, error) {
	v := plain(in["source"])
	switch {
	case v.IsAsset():
		if !v.AssetValue().IsPath() {
			return "", errors.New("source: asset must be a path-based file asset (pulumi.asset.FileAsset)")
		}
		return v.AssetValue().Path, nil
	case v.IsArchive():
		if !v.ArchiveValue().IsPath() {
			return "", errors.New("source: archive must be a path to a file or directory (pulumi.asset.FileArchive)")
		}
		return v.ArchiveValue().Path, nil
	case v.IsComputed():
		return "", errors.New("source is not known yet")
	default:
		return "", errors.New("source must be a FileAsset or a FileArchive")
	}
}

// copyScript returns the remote shell script and the stream for its stdin that copy the local
// path src to dest with upstream's semantics:
//
//	source | dest is a directory  | dest does not exist | dest is a file
//	dir    | dest/dir             | dest/dir            | error
//	dir/   | dest/<entries of dir>| dest/<entries>      | error
//	file   | dest/file            | dest                | dest (overwritten)
//
// Files are streamed with cat, directories as a tar stream (the remote needs sh, cat and tar).
func copyScript(src, dest string) (string, func(io.Writer) error, error) {
	info, err := os.Stat(src)
	if err != nil {
		return "", nil, err
	}
	q := shellQuote
	if !info.IsDir() {
		script := fmt.Sprintf(`set -e; d=%s; if [ -d "$d" ]; then d="$d"/%s; fi; cat > "$d"`,
			q(dest), q(filepath.Base(src)))
		return script, func(w io.Writer) error {
			f, err := os.Open(src)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(w, f)
			return err
		}, nil
	}
	// ensureDir makes the directory named by the shell variable v (only the last element).
	ensureDir := func(v string) string {
		return fmt.Sprintf(`if [ -e "$%[1]s" ] && [ ! -d "$%[1]s" ]; then `+
			`echo "remote path $%[1]s exists but is not a directory" >&2; exit 1; fi; `+
			`[ -d "$%[1]s" ] || mkdir "$%[1]s"; `, v)
	}
	script := fmt.Sprintf(`set -e; d=%s; `, q(dest)) + ensureDir("d")
	target := "$d"
	if !strings.HasSuffix(src, "/") {
		script += fmt.Sprintf(`t="$d"/%s; `, q(filepath.Base(src))) + ensureDir("t")
		target = "$t"
	}
	script += fmt.Sprintf(`tar -x -o -f - -C "%s"`, target)
	return script, func(w io.Writer) error { return writeTar(w, src) }, nil
}

// writeTar writes the tree under dir as a tar stream (paths relative to dir, owner root).
func writeTar(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	root := os.DirFS(dir)
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if info.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(filepath.Join(dir, p)); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		hdr.Name = p
		if d.IsDir() {
			hdr.Name += "/"
		}
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			f, err := os.Open(filepath.Join(dir, p))
			if err != nil {
				return err
			}
			_, err = io.Copy(tw, f)
			f.Close()
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// copyToRemote performs a CopyToRemote with the resource's inputs.
func copyToRemote(ctx context.Context, in resource.PropertyMap, status, logLine func(string)) error {
	conn, err := parseConnection(in)
	if err != nil {
		return err
	}
	src, err := copySource(in)
	if err != nil {
		return err
	}
	dest, ok, err := optString(in, "remotePath")
	if err != nil {
		return err
	}
	if !ok || dest == "" {
		return errors.New("remotePath is required")
	}
	script, feed, err := copyScript(src, dest)
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(feed(pw)) }()
	defer pr.Close()
	r := remoteRun{
		command: script, stdin: pr, logging: logStderr, logLine: logLine, warn: logLine, status: status, conn: conn,
	}
	if _, _, err := r.run(ctx); err != nil {
		return fmt.Errorf("copying %s to %s:%s: %w", src, conn.host, dest, err)
	}
	return nil
}
