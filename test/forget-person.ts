// The person `callq forget` erases in its tests: on both stores (test/both/forget.test.ts) and in
// the SQLite file's bytes (test/cli/forget.test.ts).
export const ZEB = {
  first_name: 'Zebediah',
  last_name: 'Quackenbush',
  company: 'Quackenbush Ponds',
  phone: '+14155559876',
  email: 'zeb.quackenbush@pondmail.org',
  alt_phones: ['+14155550777'],
  timezone: 'America/Los_Angeles',
};
