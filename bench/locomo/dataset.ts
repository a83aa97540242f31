/**
 * LoCoMo turn retrieval, as shared/eval/locomo/README.md defines it: one document per turn,
 * rendered `[<session date>] <speaker>: <text>` (+ ` [shares <caption>]`), questions of
 * categories 1–4 whose repaired evidence names at least one turn of their own conversation.
 */
export interface LocomoTurn {
  diaId: string;
  speaker: string;
  session: number;
  date: string;
  text: string;
  /** The rendered document text. */
  document: string;
  /** The document without its `[date] ` prefix (the date only in metadata, as a chat app stores a turn). */
  undated: string;
}

export interface LocomoQuestion {
  question: string;
  category: number;
  evidence: string[];
}

export interface LocomoConversation {
  id: string;
  turns: LocomoTurn[];
  questions: LocomoQuestion[];
}

type RawTurn = { speaker: string; dia_id: string; text: string; blip_caption?: string };
type RawConversation = {
  sample_id: string;
  conversation: Record<string, unknown>;
  qa: { question: string; category: number; evidence?: unknown[] }[];
};

export function loadConversations(raw: unknown): LocomoConversation[] {
  return (raw as RawConversation[]).map((entry) => {
    const sessions = Object.keys(entry.conversation)
      .map((key) => /^session_(\d+)$/.exec(key))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => Number(match[1]))
      .sort((a, b) => a - b);
    const turns: LocomoTurn[] = [];
    for (const session of sessions) {
      const date = String(entry.conversation[`session_${session}_date_time`] ?? '');
      for (const turn of entry.conversation[`session_${session}`] as RawTurn[]) {
        const caption = turn.blip_caption ? ` [shares ${turn.blip_caption}]` : '';
        turns.push({
          diaId: turn.dia_id,
          speaker: turn.speaker,
          session,
          date,
          text: turn.text,
          document: `[${date}] ${turn.speaker}: ${turn.text}${caption}`,
          undated: `${turn.speaker}: ${turn.text}${caption}`,
        });
      }
    }
    const ids = new Set(turns.map((turn) => turn.diaId));
    const questions = entry.qa
      .filter((qa) => qa.category >= 1 && qa.category <= 4)
      .map((qa) => ({ question: qa.question, category: qa.category, evidence: repairEvidence(qa.evidence ?? [], ids) }))
      .filter((qa) => qa.evidence.length > 0);
    return { id: entry.sample_id, turns, questions };
  });
}

/** Splits lists, normalises `D:11:26` / `D30:05` to `D11:26` / `D30:5`, drops unknown ids and duplicates. */
export function repairEvidence(evidence: unknown[], known: Set<string>): string[] {
  const out: string[] = [];
  for (const piece of evidence.flatMap((entry) => String(entry).split(/[\s;,]+/))) {
    const match = /^D:?(\d+):(\d+)$/.exec(piece);
    if (!match) continue;
    const id = `D${Number(match[1])}:${Number(match[2])}`;
    if (known.has(id) && !out.includes(id)) out.push(id);
  }
  return out;
}
