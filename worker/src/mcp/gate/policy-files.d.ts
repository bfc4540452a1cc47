// `policies/tools.yaml`, checked and turned into data at build time (policies/build/policy-plugins.ts).
declare module '*/policies/tools.yaml' {
  const toolPolicies: import('../../../../policies/model/tool-policy.ts').ToolPolicies;
  export default toolPolicies;
}

// `policies/inventory.yaml`: the pinned definitions' digests, checked at build time.
declare module '*/policies/inventory.yaml' {
  const definitionPins: import('../../../../policies/model/pinned-definition.ts').DefinitionPins;
  export default definitionPins;
}
