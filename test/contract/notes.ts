/** Everyday notes on unrelated topics, shared by the contract suites that need a small memory set. */
export const NOTES = [
  'I drink a strong black coffee every morning',
  'My sister plays the violin in an orchestra',
  'The car needs new winter tyres',
  'We are planning a hiking trip to the Alps in July',
  'My favourite food is spicy ramen',
  'The dentist appointment is on Thursday',
];
