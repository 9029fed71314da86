// The stack configuration: one schema for every stack, its validation and the dpservice importer.
export * from "./schema";
export { ConfigIssue, crossCheck } from "./crossChecks";
export * from "./validate";
export * from "./stackFile";
export * from "./dpserviceImport";
