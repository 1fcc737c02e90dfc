import { createHash } from 'node:crypto';
import { invoicePreflight, type KsefXmlValidator } from '@ksef-bridge/ksef-spec';
import { IntakeRefusal } from './intake-refusal';

/** An ERP's invoice XML that passed intake's checks, identified by the SHA-256 of its exact bytes. */
export interface IncomingDocument {
  bytes: Buffer;
  sha256: string;
}

/**
 * What intake checks before storing a document (the validator does the XSD and business rules later): not empty, not
 * larger than allowed, KSeF's byte-level rules (UTF-8 without BOM, no other declared encoding, no processing
 * instructions) and well-formed XML, so that a broken file is refused at the door with a precise reason.
 */
export function checkIncomingDocument(bytes: Buffer, maxBytes: number, xml: KsefXmlValidator): IncomingDocument {
  if (bytes.length === 0) throw new IntakeRefusal('DOCUMENT_EMPTY', 'The invoice XML is empty');
  if (bytes.length > maxBytes) {
    throw new IntakeRefusal('DOCUMENT_TOO_LARGE', `The invoice XML has ${bytes.length} bytes; at most ${maxBytes} are accepted`, { sizeBytes: bytes.length, maxBytes });
  }
  const encodingProblem = invoicePreflight(bytes);
  if (encodingProblem) throw new IntakeRefusal('DOCUMENT_ENCODING', encodingProblem);
  // Well-formedness only: a schema failure is the validator's finding (with every error), not a refusal at the door.
  const result = xml.validate('FA(3)', bytes);
  if (result.failure === 'parse') {
    const first = result.problems[0];
    throw new IntakeRefusal('XML_MALFORMED', `The document is not well-formed XML${first?.line ? ` (line ${first.line})` : ''}: ${first?.message ?? 'parse error'}`, {
      problems: result.problems.slice(0, 10),
    });
  }
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
