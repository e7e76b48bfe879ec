// Generated lead lists for the import tests (test/both/import.test.ts, test/pg/import.test.ts).
import { writeFileSync } from 'node:fs';

/** A list of `rows` distinct valid US leads. */
export function leadFile(path: string, rows: number, from = 0): string {
  const codes = [212, 480, 602, 303, 312, 415, 503, 612];
  let text = 'First Name,Last Name,Company,Email,Phone,Lead Source\n';
  for (let i = from; i < from + rows; i++) {
    const line = i % 10000;
    const exchange = 200 + (Math.floor(i / 10000) % 700);
    const code = codes[Math.floor(i / 7_000_000) % codes.length];
    text += `F${i},L${i},Co ${i % 97},p${i}@example${i % 13}.com,(${code}) ${exchange}-${String(line).padStart(4, '0')},gen\n`;
  }
  writeFileSync(path, text);
  return path;
}
