import './style.css';

/** Body of the backend's health endpoint. */
interface Health {
  status: string;
  database?: string;
}

const app = document.querySelector<HTMLElement>('#app')!;

/**
 * The API's path on this origin (nginx proxies it to the backend). Set at build time by the
 * stack (build arg VITE_API_PATH) when it has a backend; without one there is nothing to call.
 */
const apiPath = import.meta.env.VITE_API_PATH;

async function checkApi(status: HTMLElement): Promise<void> {
  try {
    const res = await fetch(`${apiPath}/health`, { headers: { Accept: 'application/json' } });
    const body = (await res.json()) as Health;
    const database = body.database ? `, database: ${body.database}` : '';
    status.textContent = `API: ${body.status}${database}`;
    status.dataset.state = res.ok ? 'ok' : 'error';
  } catch (err) {
    status.textContent = `API not reachable: ${(err as Error).message}`;
    status.dataset.state = 'error';
  }
}

if (apiPath) {
  const status = document.createElement('p');
  status.id = 'api-status';
  status.textContent = 'Checking the API…';
  app.append(status);
  void checkApi(status);
}
