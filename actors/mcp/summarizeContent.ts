import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** Most text of a tool result kept in a receipt (the audit trail), in characters. */
const MAX_TEXT = 4_000;

/** A tool result's content as a receipt keeps it: the text joined (bounded), other blocks by kind. */
export interface ContentSummary {
  text: string;
  truncated: boolean;
  blocks: Array<{ type: string; mimeType?: string; uri?: string }>;
}

/** Summarizes a `tools/call` result's content blocks for a receipt. */
export function summarizeContent(content: CallToolResult['content']): ContentSummary {
  const texts: string[] = [];
  const blocks: ContentSummary['blocks'] = [];
  for (const block of content) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'image' || block.type === 'audio')
      blocks.push({ type: block.type, mimeType: block.mimeType });
    else if (block.type === 'resource_link') blocks.push({ type: block.type, uri: block.uri });
    else if (block.type === 'resource') blocks.push({ type: block.type, uri: block.resource.uri });
    else blocks.push({ type: (block as { type: string }).type });
  }
  const text = texts.join('\n');
  return { text: text.slice(0, MAX_TEXT), truncated: text.length > MAX_TEXT, blocks };
}
