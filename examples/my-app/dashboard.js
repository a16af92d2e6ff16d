const { startDashboard } = require('@floodgate/dashboard');
const { jobs } = require('./jobs');

startDashboard({ jobs }).catch((err) => {
  console.error(err);
  process.exit(1);
});
