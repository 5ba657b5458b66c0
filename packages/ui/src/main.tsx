/** The web UI's entry: the app on the browser's router, against the page's own origin. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter } from 'react-router';
import { GodClient } from '@god/client';
import { App, routes } from './app.js';
import { linkLibraryStyles } from './csp-styles.js';
import './styles/base.css';
import './styles/jobs.css';

linkLibraryStyles(document);
const router = createBrowserRouter(routes);
const root = document.getElementById('root');
if (root !== null)
  createRoot(root).render(
    <StrictMode>
      <App client={new GodClient({ server: '' })} router={router} />
    </StrictMode>,
  );
