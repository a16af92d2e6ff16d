import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Router } from 'express';
import { buildOpenApiDocument } from '../openapi/document';
import type { HandlersOf } from './route-handlers';

/** The files of Swagger UI the page loads: served from the package, nothing from the internet. */
const SWAGGER_UI_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'];
const swaggerUiDir = dirname(require.resolve('swagger-ui-dist/package.json'));

/** No inline script, so the page works under a strict Content-Security-Policy. */
const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>floodgate API</title>
  <link rel="icon" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

/** `GET /openapi.json` (OpenAPI 3.1, built once from the route table and the catalog) and `GET /docs` (Swagger UI on it). */
export function docsHandlers(options: { bulkMaxJobs: number }): HandlersOf<'openapi' | 'docs'> {
  const version = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  const document = JSON.stringify(buildOpenApiDocument({ version, bulkMaxJobs: options.bulkMaxJobs }));
  return {
    openapi: ({ res }) => void res.type('application/json').send(document),
    docs: ({ res }) => void res.type('html').send(PAGE),
  };
}

/** The docs page's own files (Swagger UI's, and the script that points it at /openapi.json): not API routes. */
export function docsFilesRouter(): Router {
  const router = Router();
  router.get('/docs/init.js', (_req, res) => void res.type('text/javascript').send(INIT));
  router.get('/docs/assets/:file', (req, res, next) => {
    const file = String(req.params.file);
    if (!SWAGGER_UI_FILES.includes(file)) return next();
    // dotfiles: the package lives under pnpm's `.pnpm` directory.
    res.sendFile(join(swaggerUiDir, file), { maxAge: '1d', dotfiles: 'allow' });
  });
  return router;
}
