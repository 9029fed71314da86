// Copyright 2026 the pairbench authors. Licensed under the Apache License, Version 2.0.

package main

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/pulumi/pulumi/pkg/v3/resource/provider"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Tokens of the resources and functions this provider implements.
const (
	tokLocalCommand  = "command:local:Command"
	tokLocalRun      = "command:local:run"
	tokRemoteCommand = "command:remote:Command"
	tokCopyToRemote  = "command:remote:CopyToRemote"
)

// inputKeys lists, per resource type, the properties that are inputs (everything else in the
// state is an output).
var inputKeys = map[string][]string{
	tokLocalCommand:  localInputKeys,
	tokRemoteCommand: remoteCommandInputKeys,
	tokCopyToRemote:  copyToRemoteInputKeys,
}

// replaceKeys lists, per resource type, the inputs whose change replaces the resource (the npm
// SDK also sets replaceOnChanges for them).
var replaceKeys = map[string][]string{
	tokLocalCommand:  {"triggers"},
	tokRemoteCommand: {"triggers"},
	tokCopyToRemote:  {"triggers"},
}

// secretSourceKeys lists, per type, the inputs whose secrecy makes stdout and stderr secret. The
// connection (always a secret: it holds credentials) does not shape the output, so it is left
// out; otherwise every remote command's output would be secret.
var secretSourceKeys = map[string][]string{
	tokLocalCommand:  localInputKeys,
	tokRemoteCommand: {"create", "update", "delete", "environment", "stdin", "triggers"},
	tokLocalRun:      runInputKeys,
}

type server struct {
	pulumirpc.UnimplementedResourceProviderServer

	host    *provider.HostClient
	version string
	ctx     context.Context // cancelled by Cancel: kills running commands
	cancel  context.CancelFunc
}

func newServer(host *provider.HostClient, version string) *server {
	ctx, cancel := context.WithCancel(context.Background())
	return &server{host: host, version: version, ctx: ctx, cancel: cancel}
}

var unmarshalOpts = plugin.MarshalOptions{
	KeepUnknowns: true, KeepSecrets: true, KeepResources: true, SkipNulls: true,
}

var marshalOpts = plugin.MarshalOptions{
	KeepUnknowns: true, KeepSecrets: true, KeepResources: true,
}

func unmarshal(s *structpb.Struct, label string) (resource.PropertyMap, error) {
	o := unmarshalOpts
	o.Label = label
	m, err := plugin.UnmarshalProperties(s, o)
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = resource.PropertyMap{}
	}
	return m, nil
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, marshalOpts)
}

// typeAndName returns the resource type and name of a request (from its fields, or its URN for
// older engines).
func typeAndName(typ, name, urn string) (string, string) {
	u := resource.URN(urn)
	if typ == "" && u.IsValid() {
		typ = string(u.Type())
	}
	if name == "" && u.IsValid() {
		name = u.Name()
	}
	return typ, name
}

func unsupported(tok string) error {
	return fmt.Errorf("%s is not implemented by pairbench's command provider "+
		"(implemented: %s, %s, %s, %s; see docs/toolchain.md)",
		tok, tokLocalCommand, tokLocalRun, tokRemoteCommand, tokCopyToRemote)
}

// logger returns a function that sends one line of command output to the engine as an
// ephemeral status message of the resource.
func (s *server) logger(ctx context.Context, urn string) func(string) {
	return func(line string) {
		if s.host != nil {
			_ = s.host.LogStatus(ctx, diag.Info, resource.URN(urn), line)
		}
	}
}

// warner returns a function that sends a warning about the resource to the engine.
func (s *server) warner(ctx context.Context, urn string) func(string) {
	return func(msg string) {
		if s.host != nil {
			_ = s.host.Log(ctx, diag.Warning, resource.URN(urn), msg)
		}
	}
}

// runContext ties a command to both the request and the provider's Cancel.
func (s *server) runContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

func (s *server) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: s.version}, nil
}

func (s *server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{
		Schema: fmt.Sprintf(`{"name":"command","version":%q}`, s.version),
	}, nil
}

func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (s *server) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func (s *server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	s.cancel()
	return &emptypb.Empty{}, nil
}

func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	typ, _ := typeAndName(req.GetType(), req.GetName(), req.GetUrn())
	if _, ok := inputKeys[typ]; !ok {
		return nil, unsupported(typ)
	}
	news, err := unmarshal(req.GetNews(), "check.news")
	if err != nil {
		return nil, err
	}
	if typ == tokCopyToRemote {
		var failures []*pulumirpc.CheckFailure
		if v := plain(news["source"]); !v.ContainsUnknowns() {
			if _, err := copySource(news); err != nil {
				failures = append(failures, &pulumirpc.CheckFailure{Property: "source", Reason: err.Error()})
			}
		}
		if v := plain(news["remotePath"]); v.IsNull() {
			failures = append(failures, &pulumirpc.CheckFailure{Property: "remotePath", Reason: "remotePath is required"})
		}
		if len(failures) > 0 {
			return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
		}
	} else if _, ok := news["addPreviousOutputInEnv"]; !ok {
		// Same default as upstream's schema.
		news["addPreviousOutputInEnv"] = resource.NewBoolProperty(true)
	}
	inputs, err := marshal(news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs}, nil
}

// diffInputs compares old and new inputs key by key.
func diffInputs(typ string, olds, news resource.PropertyMap, ignore []string) *pulumirpc.DiffResponse {
	keys := map[string]bool{}
	for _, k := range inputKeys[typ] {
		keys[k] = true
	}
	var changed []string
	detailed := map[string]*pulumirpc.PropertyDiff{}
	var replaces []string
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		if slices.Contains(ignore, k) {
			continue
		}
		o, n := olds[resource.PropertyKey(k)], news[resource.PropertyKey(k)]
		if o.IsNull() && n.IsNull() {
			continue
		}
		if !n.ContainsUnknowns() && o.DeepEquals(n) {
			continue
		}
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case o.IsNull():
			kind = pulumirpc.PropertyDiff_ADD
		case n.IsNull():
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if slices.Contains(replaceKeys[typ], k) {
			replaces = append(replaces, k)
			kind += pulumirpc.PropertyDiff_ADD_REPLACE - pulumirpc.PropertyDiff_ADD
		}
		changed = append(changed, k)
		detailed[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	res := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_NONE,
		Diffs:           changed,
		Replaces:        replaces,
		DetailedDiff:    detailed,
		HasDetailedDiff: true,
	}
	if len(changed) > 0 {
		res.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return res
}

func (s *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	typ, _ := typeAndName(req.GetType(), req.GetName(), req.GetUrn())
	if _, ok := inputKeys[typ]; !ok {
		return nil, unsupported(typ)
	}
	olds, err := unmarshal(req.GetOldInputs(), "diff.oldInputs")
	if err != nil {
		return nil, err
	}
	if len(olds) == 0 {
		state, err := unmarshal(req.GetOlds(), "diff.olds")
		if err != nil {
			return nil, err
		}
		olds = pick(state, inputKeys[typ])
	}
	news, err := unmarshal(req.GetNews(), "diff.news")
	if err != nil {
		return nil, err
	}
	return diffInputs(typ, olds, news, req.GetIgnoreChanges()), nil
}

// commandOutputs builds the state of a command resource from its inputs and a run's result.
func commandOutputs(typ string, in resource.PropertyMap, res runResult) resource.PropertyMap {
	keys := inputKeys[typ]
	if typ == tokLocalRun {
		keys = runInputKeys
	}
	secret := anySecret(in, secretSourceKeys[typ])
	outs := pick(in, keys)
	outs["stdout"] = markSecret(resource.NewStringProperty(res.stdout), secret)
	outs["stderr"] = markSecret(resource.NewStringProperty(res.stderr), secret)
	if !res.assets.IsNull() {
		outs["assets"] = markSecret(res.assets, secret)
	}
	if !res.archive.IsNull() {
		outs["archive"] = markSecret(res.archive, secret)
	}
	return outs
}

func localOutputs(in resource.PropertyMap, res runResult) resource.PropertyMap {
	return commandOutputs(tokLocalCommand, in, res)
}

// execute runs command for a local or remote Command with the resource's inputs; prev holds the
// previous outputs (for addPreviousOutputInEnv) or nil.
func (s *server) execute(
	ctx context.Context, typ, urn string, in resource.PropertyMap, command string, prev resource.PropertyMap,
) (runResult, error) {
	res := runResult{assets: resource.NewNullProperty(), archive: resource.NewNullProperty()}
	rctx, done := s.runContext(ctx)
	defer done()
	switch typ {
	case tokLocalCommand:
		spec, err := specFromInputs(in, command, prev)
		if err != nil {
			return res, err
		}
		return runLocal(rctx, spec, s.logger(ctx, urn))
	case tokRemoteCommand:
		r, err := remoteRunFromInputs(in, command, prev)
		if err != nil {
			return res, err
		}
		r.logLine, r.status, r.warn = s.logger(ctx, urn), s.logger(ctx, urn), s.warner(ctx, urn)
		res.stdout, res.stderr, err = r.run(rctx)
		return res, err
	default:
		return res, unsupported(typ)
	}
}

func (s *server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	typ, name := typeAndName(req.GetType(), req.GetName(), req.GetUrn())
	keys, ok := inputKeys[typ]
	if !ok {
		return nil, unsupported(typ)
	}
	in, err := unmarshal(req.GetProperties(), "create.properties")
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		outs := pick(in, keys)
		if typ != tokCopyToRemote {
			outs["stdout"] = unknownString()
			outs["stderr"] = unknownString()
		}
		props, err := marshal(outs)
		return &pulumirpc.CreateResponse{Properties: props}, err
	}
	id, err := resource.NewUniqueHex(name, 8, 0)
	if err != nil {
		return nil, err
	}
	var outs resource.PropertyMap
	if typ == tokCopyToRemote {
		if err := copyToRemote(ctx, in, s.logger(ctx, req.GetUrn()), s.logger(ctx, req.GetUrn())); err != nil {
			return nil, err
		}
		outs = pick(in, keys)
	} else {
		res := runResult{assets: resource.NewNullProperty(), archive: resource.NewNullProperty()}
		if command, ok, err := optString(in, "create"); err != nil {
			return nil, err
		} else if ok {
			if res, err = s.execute(ctx, typ, req.GetUrn(), in, command, nil); err != nil {
				return nil, err
			}
		}
		outs = commandOutputs(typ, in, res)
	}
	props, err := marshal(outs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func (s *server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	typ, _ := typeAndName(req.GetType(), req.GetName(), req.GetUrn())
	keys, ok := inputKeys[typ]
	if !ok {
		return nil, unsupported(typ)
	}
	olds, err := unmarshal(req.GetOlds(), "update.olds")
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews(), "update.news")
	if err != nil {
		return nil, err
	}
	var outs resource.PropertyMap
	if typ == tokCopyToRemote {
		// Upstream: copy again only when the source's content or the destination changed.
		changed := !olds["source"].DeepEquals(news["source"]) || !olds["remotePath"].DeepEquals(news["remotePath"])
		if changed && !req.GetPreview() {
			if err := copyToRemote(ctx, news, s.logger(ctx, req.GetUrn()), s.logger(ctx, req.GetUrn())); err != nil {
				return nil, err
			}
		}
		outs = pick(news, keys)
	} else {
		// Upstream: run `update`, or `create` when there is no `update`; neither: keep the output.
		command, ok, err := optString(news, "update")
		if err != nil {
			return nil, err
		}
		if !ok {
			if command, ok, err = optString(news, "create"); err != nil {
				return nil, err
			}
		}
		switch {
		case !ok:
			outs = pick(news, keys)
			for _, k := range []string{"stdout", "stderr", "assets", "archive"} {
				if v, has := olds[resource.PropertyKey(k)]; has {
					outs[resource.PropertyKey(k)] = v
				}
			}
		case req.GetPreview():
			outs = pick(news, keys)
			outs["stdout"] = unknownString()
			outs["stderr"] = unknownString()
		default:
			res, err := s.execute(ctx, typ, req.GetUrn(), news, command, olds)
			if err != nil {
				return nil, err
			}
			outs = commandOutputs(typ, news, res)
		}
	}
	props, err := marshal(outs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (s *server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	typ, _ := typeAndName(req.GetType(), req.GetName(), req.GetUrn())
	if _, ok := inputKeys[typ]; !ok {
		return nil, unsupported(typ)
	}
	if typ == tokCopyToRemote {
		// Like upstream: copied files stay on the remote host.
		return &emptypb.Empty{}, nil
	}
	state, err := unmarshal(req.GetProperties(), "delete.properties")
	if err != nil {
		return nil, err
	}
	command, ok, err := optString(state, "delete")
	if err != nil || !ok {
		return &emptypb.Empty{}, err
	}
	if _, err := s.execute(ctx, typ, req.GetUrn(), state, command, state); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// Read returns the recorded state unchanged: a command's effects cannot be read back.
func (s *server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	typ, _ := typeAndName(req.GetType(), req.GetName(), req.GetUrn())
	keys, ok := inputKeys[typ]
	if !ok {
		return nil, unsupported(typ)
	}
	inputs := req.GetInputs()
	if inputs == nil {
		state, err := unmarshal(req.GetProperties(), "read.properties")
		if err != nil {
			return nil, err
		}
		if inputs, err = marshal(pick(state, keys)); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: inputs}, nil
}

func (s *server) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	if req.GetTok() != tokLocalRun {
		return nil, unsupported(req.GetTok())
	}
	args, err := unmarshal(req.GetArgs(), "invoke.args")
	if err != nil {
		return nil, err
	}
	command, ok, err := optString(args, "command")
	if err != nil {
		return nil, err
	}
	if !ok {
		return &pulumirpc.InvokeResponse{Failures: []*pulumirpc.CheckFailure{
			{Property: "command", Reason: "missing required argument: command"},
		}}, nil
	}
	spec, err := specFromInputs(args, command, nil)
	if err != nil {
		return nil, err
	}
	rctx, done := s.runContext(ctx)
	defer done()
	res, err := runLocal(rctx, spec, s.logger(ctx, ""))
	if err != nil {
		return nil, err
	}
	outs := commandOutputs(tokLocalRun, args, res)
	ret, err := marshal(outs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}
