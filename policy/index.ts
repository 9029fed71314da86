// The policy pack Pulumi loads with `--policy-pack policy`. Constructing a PolicyPack starts
// the analyzer server, so tests never import this file: they call the policies in policies.ts.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("pairbench-azure", { policies, enforcementLevel: "mandatory" });
