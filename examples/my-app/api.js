const { startApi } = require('@floodgate/api');
const { jobs } = require('./jobs');

startApi({ jobs }).catch((err) => {
  console.error(err);
  process.exit(1);
});
