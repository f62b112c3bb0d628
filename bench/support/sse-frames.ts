export interface SseFrame {
  event: string;
  data: string;
}

/**
 * Splits a text/event-stream body into frames as chunks arrive, with no
 * parser library in the way: the load generator must cost little next to
 * what it measures. Returns the function to feed each chunk to.
 */
export function createSseFrameReader(onFrame: (frame: SseFrame) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data = line.slice(5).trimStart();
      }
      onFrame({ event, data });
    }
  };
}
