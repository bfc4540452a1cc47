/** The control Worker: answers every request with "ok", keeps nothing. */
export default { fetch: () => new Response('ok') };
