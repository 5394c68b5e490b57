// Kubernetes' CEL format library (k8s.io/apiserver/pkg/cel/library/format.go): named formats
// `format.dns1123Label().validate(s)` (optional list of errors: none when valid) and
// `format.named('uuid')` (optional Format), over the same validators the API server uses.
import { Optional, type Environment } from '@marcbachmann/cel-js';
import { formatOk } from '../openapi-schema/formats.ts';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain } from '../validation.ts';
import { isURL } from './libs.ts';

const one = (ok: boolean, message: string): string[] => (ok ? [] : [message]);

/** Each format's validator: the errors Kubernetes' validation gives (empty when valid). */
export const FORMATS: Record<string, (s: string) => string[]> = {
  dns1123Label: isDNS1123Label,
  dns1123Subdomain: isDNS1123Subdomain,
  dns1035Label: isDNS1035Label,
  qualifiedName: isQualifiedName,
  dns1123LabelPrefix: (s) => nameIsDNSLabel(s, true),
  dns1123SubdomainPrefix: (s) => nameIsDNSSubdomain(s, true),
  dns1035LabelPrefix: (s) => nameIsDNS1035Label(s, true),
  labelValue: isValidLabelValue,
  uri: (s) => one(isURL(s), `invalid URI: parse ${JSON.stringify(s)}: invalid URI for request`),
  uuid: (s) => one(formatOk('uuid', s), 'does not match the UUID format'),
  byte: (s) => one(formatOk('byte', s), 'invalid base64'),
  date: (s) => one(formatOk('date', s), 'invalid date'),
  datetime: (s) => one(formatOk('date-time', s), 'invalid datetime'),
};

export class NamedFormat {
  constructor(readonly name: string) {}
}

class FormatNamespace {}

const F = 'kubernetes.NamedFormat';
const NS = 'kubesim.FormatNamespace';

export function registerFormatLibrary(e: Environment): Environment {
  e.registerType(F, NamedFormat)
    .registerType(NS, FormatNamespace)
    .registerConstant('format', NS, new FormatNamespace())
    .registerFunction(`${NS}.named(string): optional<${F}>`, (_: unknown, name: string) => (FORMATS[name] ? Optional.of(new NamedFormat(name)) : Optional.none()))
    .registerFunction(`${F}.validate(string): optional<list<string>>`, (f: NamedFormat, s: string) => {
      const errs = FORMATS[f.name](s);
      return errs.length ? Optional.of(errs) : Optional.none();
    });
  for (const name of Object.keys(FORMATS)) e.registerFunction(`${NS}.${name}(): ${F}`, () => new NamedFormat(name));
  return e;
}
