// Compile checks of the CEL expressions admissionregistration objects carry (match conditions,
// policy validations). Until a CEL library is wired in, every non-empty expression passes here and
// fails at evaluation instead.
export function matchConditionCheck(_expr: string): string | undefined {
  return undefined;
}
