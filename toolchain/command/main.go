// Copyright 2026 the pairbench authors. Licensed under the Apache License, Version 2.0.

// Command pulumi-resource-command is pairbench's own implementation of the Pulumi "command"
// resource provider.
//
// The upstream provider (github.com/pulumi/pulumi-command/provider) is only published as
// pseudo-versions of untagged commits, and the Go module proxy reachable from the project's
// machines refuses those (see docs/toolchain.md). This binary speaks the same gRPC protocol and
// implements the same resource and function tokens, with the same inputs and outputs, for the
// part of the schema that pairbench uses, so the unmodified @pulumi/command npm SDK drives it:
//
//   - command:local:Command  (create/update/delete, environment, dir, interpreter, stdin,
//     triggers, logging, addPreviousOutputInEnv, assetPaths, archivePaths)
//   - command:local:run      (function)
//
// Anything else answers with a clear error naming the token.
//
// The version it reports is set at build time by toolchain/build.sh from
// node_modules/@pulumi/command/package.json: -ldflags "-X main.Version=v1.2.1".
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi/pkg/v3/resource/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Version is the plugin version reported to the engine (set with -ldflags -X main.Version=...).
var Version = "v0.0.0-dev"

func main() {
	err := provider.Main("command", func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return newServer(host, strings.TrimPrefix(Version, "v")), nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-command: %v\n", err)
		os.Exit(1)
	}
}
