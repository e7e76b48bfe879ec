// What an import's external-id column is (docs/importing.md "Duplicates"): ids of one system, which join
// leads only with ids of that same system, or a 1..n row counter, which is no id at all and is
// kept as a custom field. Decided once per file from the header and the first records, in file
// order, on the thread that writes (rows are held back until then: COUNTER_SAMPLE of them).
import { COUNTER_SAMPLE, externalIdSystem, isRowCounter } from '../core/identity.js';
import { headerKey, type ColumnMapping } from './fields.js';
import { AT, type LeadTuple } from './lead-record.js';

export interface ExternalIdRule {
  /** The id column's header; null when the file has none. */
  column: string | null;
  /** 'ids': the column's values join leads of the same system; 'row-counter': ignored as ids. */
  kind: 'ids' | 'row-counter' | null;
  /** The system the ids belong to (kind 'ids'). */
  system: string | null;
  /** How the system was chosen. */
  system_from: 'header' | 'values' | 'option' | null;
  /** The custom field a row counter is kept in (kind 'row-counter'). */
  custom_key: string | null;
}

export interface ExternalIds {
  /** The rows ready to write after this one (none while the first records are being sampled). */
  take(line: number, lead: LeadTuple): LeadTuple[];
  /** The rows still held back, at the end of the file. */
  drain(): LeadTuple[];
  /** The rule applied (final once take() has returned rows, or after drain()). */
  rule(): ExternalIdRule;
}

/**
 * `idSystem`: --id-system, naming the system outright (the values are then ids, whatever they
 * look like). A column mapped to external_id by --map is taken as ids too, never as a counter.
 */
export function externalIds(mapping: readonly ColumnMapping[], idSystem: string | null, forced: boolean): ExternalIds {
  const column = mapping.find((m) => m.field === 'external_id');
  const rule: ExternalIdRule = { column: column?.header ?? null, kind: null, system: null, system_from: null, custom_key: null };
  if (!column) return { take: (_line, lead) => [lead], drain: () => [], rule: () => rule };

  const key = headerKey(column.header);
  const held: { line: number; lead: LeadTuple }[] = [];
  let withId = 0;
  let decided = false;
  const taken = new Set(mapping.filter((m) => m.field === 'custom').map((m) => m.key));

  const decide = () => {
    decided = true;
    const sample = held.filter((h) => h.lead[AT.external_id] !== null).map((h) => ({ id: h.lead[AT.external_id] as string, line: h.line }));
    rule.kind = idSystem === null && !forced && isRowCounter(sample) ? 'row-counter' : 'ids';
    if (rule.kind === 'row-counter') {
      let custom = column.header || 'id';
      while (taken.has(custom)) custom += '_2';
      rule.custom_key = custom;
    } else if (idSystem !== null) {
      rule.system = idSystem;
      rule.system_from = 'option';
    } else {
      const found = externalIdSystem(key, sample.map((s) => s.id));
      rule.system = found.system;
      rule.system_from = found.from;
    }
  };
  const apply = (lead: LeadTuple): LeadTuple => {
    const id = lead[AT.external_id] as string | null;
    if (id === null) return lead;
    if (rule.kind === 'ids') {
      lead[AT.external_system] = rule.system;
      return lead;
    }
    const custom = Object.assign(Object.create(null) as Record<string, string>, lead[AT.custom] ? JSON.parse(lead[AT.custom] as string) : {});
    custom[rule.custom_key!] = id;
    lead[AT.custom] = JSON.stringify(custom);
    lead[AT.external_id] = null;
    return lead;
  };
  const release = () => held.splice(0).map((h) => apply(h.lead));

  return {
    take(line, lead) {
      if (decided) return [apply(lead)];
      held.push({ line, lead });
      if (lead[AT.external_id] !== null) withId++;
      // A column left mostly empty is decided on what the first rows hold, so memory stays flat.
      if (withId < COUNTER_SAMPLE && held.length < COUNTER_SAMPLE * 50) return [];
      decide();
      return release();
    },
    drain() {
      if (!decided) decide();
      return release();
    },
    rule: () => rule,
  };
}

/** The rule in words, for the import summary. */
export function describeRule(rule: ExternalIdRule): string | null {
  if (rule.kind === 'row-counter') {
    return (
      `column '${rule.column}' counts rows (1, 2, 3…): it is not an id and matches no lead; ` +
      `kept as custom field '${rule.custom_key}'. If it does hold ids, name their system with --id-system.`
    );
  }
  if (rule.kind === 'ids') {
    const how = rule.system_from === 'option' ? '--id-system' : rule.system_from === 'values' ? 'from the ids' : 'from the header';
    return `external ids from column '${rule.column}' are ${rule.system} ids (${how}): they match leads whose id is from ${rule.system} too.`;
  }
  return null;
}
