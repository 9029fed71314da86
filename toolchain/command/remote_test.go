// Copyright 2026 the pairbench authors. Licensed under the Apache License, Version 2.0.

package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/ssh"
)

// testSSHServer is a minimal SSH server on 127.0.0.1 for the tests: password auth, "env" and
// "exec" requests on session channels (commands run locally with /bin/sh -c), and
// "direct-tcpip" channels so it can serve as a proxy (jump host).
type testSSHServer struct {
	addr      string
	hostKey   ssh.PublicKey
	acceptEnv bool
	mu        sync.Mutex
	execs     []string
}

func startSSHServer(t *testing.T, password string, acceptEnv bool) *testSSHServer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(_ ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if string(pw) == password {
				return nil, nil
			}
			return nil, fmt.Errorf("wrong password")
		},
	}
	cfg.AddHostKey(signer)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &testSSHServer{addr: ln.Addr().String(), hostKey: signer.PublicKey(), acceptEnv: acceptEnv}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c, cfg)
		}
	}()
	return s
}

func (s *testSSHServer) serve(c net.Conn, cfg *ssh.ServerConfig) {
	_, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		switch nc.ChannelType() {
		case "session":
			go s.session(nc)
		case "direct-tcpip":
			go s.forward(nc)
		default:
			_ = nc.Reject(ssh.UnknownChannelType, "unsupported")
		}
	}
}

func (s *testSSHServer) forward(nc ssh.NewChannel) {
	var req struct {
		Host     string
		Port     uint32
		OrigHost string
		OrigPort uint32
	}
	if err := ssh.Unmarshal(nc.ExtraData(), &req); err != nil {
		_ = nc.Reject(ssh.ConnectionFailed, err.Error())
		return
	}
	conn, err := net.Dial("tcp", net.JoinHostPort(req.Host, fmt.Sprint(req.Port)))
	if err != nil {
		_ = nc.Reject(ssh.ConnectionFailed, err.Error())
		return
	}
	ch, reqs, err := nc.Accept()
	if err != nil {
		conn.Close()
		return
	}
	go ssh.DiscardRequests(reqs)
	go func() { _, _ = io.Copy(ch, conn); ch.Close() }()
	_, _ = io.Copy(conn, ch)
	conn.Close()
}

func (s *testSSHServer) session(nc ssh.NewChannel) {
	ch, reqs, err := nc.Accept()
	if err != nil {
		return
	}
	defer ch.Close()
	env := os.Environ()
	for req := range reqs {
		switch req.Type {
		case "env":
			var kv struct{ Name, Value string }
			if err := ssh.Unmarshal(req.Payload, &kv); err != nil || !s.acceptEnv {
				_ = req.Reply(false, nil)
				continue
			}
			env = append(env, kv.Name+"="+kv.Value)
			_ = req.Reply(true, nil)
		case "exec":
			var cmdReq struct{ Command string }
			if err := ssh.Unmarshal(req.Payload, &cmdReq); err != nil {
				_ = req.Reply(false, nil)
				return
			}
			_ = req.Reply(true, nil)
			s.mu.Lock()
			s.execs = append(s.execs, cmdReq.Command)
			s.mu.Unlock()
			cmd := exec.Command("/bin/sh", "-c", cmdReq.Command)
			cmd.Env = env
			cmd.Stdout, cmd.Stderr = ch, ch.Stderr()
			stdin, _ := cmd.StdinPipe()
			go func() { _, _ = io.Copy(stdin, ch); stdin.Close() }()
			status := uint32(0)
			if err := cmd.Run(); err != nil {
				status = 1
				if ee, ok := err.(*exec.ExitError); ok {
					status = uint32(ee.ExitCode())
				}
			}
			payload := make([]byte, 4)
			binary.BigEndian.PutUint32(payload, status)
			_, _ = ch.SendRequest("exit-status", false, payload)
			return
		default:
			_ = req.Reply(false, nil)
		}
	}
}

func connectionProps(addr, password string, proxy resource.PropertyMap) resource.PropertyValue {
	host, port, _ := net.SplitHostPort(addr)
	var p float64
	fmt.Sscan(port, &p)
	m := resource.PropertyMap{
		"host":           resource.NewStringProperty(host),
		"port":           resource.NewNumberProperty(p),
		"user":           resource.NewStringProperty("tester"),
		"password":       resource.NewStringProperty(password),
		"dialErrorLimit": resource.NewNumberProperty(1),
	}
	if proxy != nil {
		m["proxy"] = resource.NewObjectProperty(proxy)
	}
	return resource.MakeSecret(resource.NewObjectProperty(m))
}

func TestRemoteCommandRunsWithEnvAndStdin(t *testing.T) {
	srv := startSSHServer(t, "pw", true)
	in := resource.PropertyMap{
		"connection":  connectionProps(srv.addr, "pw", nil),
		"environment": resource.NewObjectProperty(resource.PropertyMap{"WHO": resource.NewStringProperty("pairbench")}),
		"stdin":       resource.NewStringProperty("input"),
	}
	prev := resource.PropertyMap{"stdout": resource.NewStringProperty("before")}
	r, err := remoteRunFromInputs(in, `echo "$WHO $PULUMI_COMMAND_STDOUT $(cat)"; echo note >&2`, prev)
	if err != nil {
		t.Fatal(err)
	}
	var logged []string
	r.logLine, r.status, r.warn = func(l string) { logged = append(logged, l) }, func(string) {}, func(string) {}
	out, errOut, err := r.run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if out != "pairbench before input" || errOut != "note" || len(logged) != 2 {
		t.Fatalf("stdout %q stderr %q logged %q", out, errOut, logged)
	}
}

func TestRemoteCommandEnvRefusedAndFailure(t *testing.T) {
	srv := startSSHServer(t, "pw", false)
	in := resource.PropertyMap{
		"connection":  connectionProps(srv.addr, "pw", nil),
		"environment": resource.NewObjectProperty(resource.PropertyMap{"WHO": resource.NewStringProperty("x")}),
	}
	r, _ := remoteRunFromInputs(in, "true", nil)
	r.logLine, r.status, r.warn = func(string) {}, func(string) {}, func(string) {}
	if _, _, err := r.run(context.Background()); err == nil || !strings.Contains(err.Error(), "AcceptEnv") {
		t.Fatalf("expected an AcceptEnv error, got %v", err)
	}

	// Refused previous-output variables only warn; a failing command names itself and its output.
	delete(in, "environment")
	r, _ = remoteRunFromInputs(in, "echo bad >&2; exit 4", resource.PropertyMap{"stdout": resource.NewStringProperty("p")})
	var warned []string
	r.logLine, r.status, r.warn = func(string) {}, func(string) {}, func(w string) { warned = append(warned, w) }
	_, _, err := r.run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "status 4") || !strings.Contains(err.Error(), "bad") || len(warned) != 1 {
		t.Fatalf("err %v warned %q", err, warned)
	}
}

func TestRemoteCommandThroughProxyAndHostKey(t *testing.T) {
	target := startSSHServer(t, "target-pw", true)
	proxy := startSSHServer(t, "proxy-pw", true)
	proxyProps := plain(connectionProps(proxy.addr, "proxy-pw", nil)).ObjectValue()
	conn := connectionProps(target.addr, "target-pw", proxyProps)
	conn.SecretValue().Element.ObjectValue()["hostKey"] = resource.NewStringProperty(string(ssh.MarshalAuthorizedKey(target.hostKey)))
	r, err := remoteRunFromInputs(resource.PropertyMap{"connection": conn}, "echo via proxy", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.logLine, r.status, r.warn = func(string) {}, func(string) {}, func(string) {}
	out, _, err := r.run(context.Background())
	if err != nil || out != "via proxy" {
		t.Fatalf("out %q err %v", out, err)
	}
	if len(proxy.execs) != 0 || len(target.execs) != 1 {
		t.Fatalf("proxy execs %v target execs %v", proxy.execs, target.execs)
	}

	// A wrong pinned host key is refused.
	conn.SecretValue().Element.ObjectValue()["hostKey"] = resource.NewStringProperty(string(ssh.MarshalAuthorizedKey(proxy.hostKey)))
	r, _ = remoteRunFromInputs(resource.PropertyMap{"connection": conn}, "true", nil)
	r.logLine, r.status, r.warn = func(string) {}, func(string) {}, func(string) {}
	if _, _, err := r.run(context.Background()); err == nil {
		t.Fatal("a mismatched host key was accepted")
	}
}

func TestCopyToRemoteSemantics(t *testing.T) {
	srv := startSSHServer(t, "pw", true)
	local := t.TempDir()
	remote := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(local, "site", "sub"), 0o755))
	must(os.WriteFile(filepath.Join(local, "site", "index.html"), []byte("<h1>hi</h1>"), 0o644))
	must(os.WriteFile(filepath.Join(local, "site", "sub", "run.sh"), []byte("#!/bin/sh\n"), 0o755))
	must(os.WriteFile(filepath.Join(local, "file.txt"), []byte("content"), 0o644))

	copyIt := func(source resource.PropertyValue, dest string) error {
		in := resource.PropertyMap{
			"connection": connectionProps(srv.addr, "pw", nil),
			"source":     source,
			"remotePath": resource.NewStringProperty(dest),
		}
		return copyToRemote(context.Background(), in, func(string) {}, func(string) {})
	}
	fileAsset, err := resource.NewPathAsset(filepath.Join(local, "file.txt"))
	must(err)
	dirArchive, err := resource.NewPathArchive(filepath.Join(local, "site"))
	must(err)
	dirSlashArchive, err := resource.NewPathArchive(filepath.Join(local, "site") + "/")
	must(err)

	// file → new path; file → existing directory.
	must(copyIt(resource.NewAssetProperty(fileAsset), filepath.Join(remote, "copy.txt")))
	must(copyIt(resource.NewAssetProperty(fileAsset), remote))
	for _, p := range []string{"copy.txt", "file.txt"} {
		b, err := os.ReadFile(filepath.Join(remote, p))
		if err != nil || string(b) != "content" {
			t.Fatalf("%s: %q %v", p, b, err)
		}
	}
	// dir → dest/dir (dest created); dir/ → dest/<entries>.
	must(copyIt(resource.NewArchiveProperty(dirArchive), filepath.Join(remote, "www")))
	if b, err := os.ReadFile(filepath.Join(remote, "www", "site", "index.html")); err != nil || string(b) != "<h1>hi</h1>" {
		t.Fatalf("dir copy: %q %v", b, err)
	}
	if st, err := os.Stat(filepath.Join(remote, "www", "site", "sub", "run.sh")); err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("mode not kept: %v %v", st, err)
	}
	must(copyIt(resource.NewArchiveProperty(dirSlashArchive), filepath.Join(remote, "flat")))
	if _, err := os.Stat(filepath.Join(remote, "flat", "index.html")); err != nil {
		t.Fatalf("dir/ copy: %v", err)
	}
	// dir → existing file: error.
	if err := copyIt(resource.NewArchiveProperty(dirArchive), filepath.Join(remote, "copy.txt")); err == nil ||
		!strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("expected not-a-directory error, got %v", err)
	}
}

func TestParseConnectionDefaultsAndErrors(t *testing.T) {
	c, err := parseConnection(resource.PropertyMap{"connection": resource.MakeSecret(resource.NewObjectProperty(
		resource.PropertyMap{"host": resource.NewStringProperty("10.0.0.1")}))})
	if err != nil {
		t.Fatal(err)
	}
	if c.user != "root" || c.port != 22 || c.dialErrorLimit != 10 || c.perDialTimeout.Seconds() != 15 || c.proxy != nil {
		t.Fatalf("defaults: %+v", c)
	}
	if _, err := parseConnection(resource.PropertyMap{}); err == nil {
		t.Fatal("missing connection accepted")
	}
	if _, err := parseConnection(resource.PropertyMap{"connection": resource.NewObjectProperty(resource.PropertyMap{})}); err == nil ||
		!strings.Contains(err.Error(), "host is required") {
		t.Fatalf("missing host: %v", err)
	}
}

func TestRemoteOutputsNotSecretBecauseOfConnection(t *testing.T) {
	in := resource.PropertyMap{
		"connection": connectionProps("127.0.0.1:22", "pw", nil),
		"create":     resource.NewStringProperty("iperf3 -J"),
	}
	outs := commandOutputs(tokRemoteCommand, in, runResult{stdout: "{}", assets: resource.NewNullProperty(), archive: resource.NewNullProperty()})
	if outs["stdout"].IsSecret() {
		t.Fatal("stdout became secret only because the connection is")
	}
	if !outs["connection"].IsSecret() {
		t.Fatal("connection lost its secrecy")
	}
	in["environment"] = resource.NewObjectProperty(resource.PropertyMap{"TOKEN": resource.MakeSecret(resource.NewStringProperty("t"))})
	outs = commandOutputs(tokRemoteCommand, in, runResult{stdout: "{}", assets: resource.NewNullProperty(), archive: resource.NewNullProperty()})
	if !outs["stdout"].IsSecret() {
		t.Fatal("stdout not secret with a secret environment")
	}
}
