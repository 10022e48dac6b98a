import type { NewsOutlet } from './corpus-document.js';

/**
 * The fictional outlets of the offline corpus. Every name, domain and story is made up for this
 * example; `.example` domains never resolve (RFC 2606), so nothing here can be mistaken for a site.
 */
export const corpusOutlets: readonly NewsOutlet[] = [
  { name: 'Northwind Wire', domain: 'northwindwire.example', reliability: 0.95 },
  { name: 'The Gradient Ledger', domain: 'gradientledger.example', reliability: 0.9 },
  { name: 'Helix Report', domain: 'helixreport.example', reliability: 0.9 },
  { name: 'Servo Weekly', domain: 'servoweekly.example', reliability: 0.85 },
  { name: 'Die & Wafer', domain: 'dieandwafer.example', reliability: 0.85 },
  { name: 'Carbon Desk', domain: 'carbondesk.example', reliability: 0.85 },
  { name: 'Morning Byte', domain: 'morningbyte.example', reliability: 0.4 },
];
