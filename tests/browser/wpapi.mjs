// A real WordPress client, the npm package `wpapi`, against a running Newsroom site: it finds the
// API from the home page's Link header, reads routes from the index, pages through posts, embeds,
// and gets WordPress's errors. Usage: node wpapi.mjs BASE_URL. Exits 1 on the first failure.
import WPAPI from 'wpapi';

const base = process.argv[2];
const problems = [];
const check = (ok, what) => { if (!ok) problems.push(what); };
const origError = console.error;
console.error = (...args) => { problems.push(`wpapi logged an error: ${args.map(String).join(' ')}`); };

try {
  const wp = await WPAPI.discover(base);
  check(wp._options.endpoint === `${base}/wp-json/`, `endpoint from the Link header: ${wp._options.endpoint}`);

  const posts = await wp.posts().perPage(2).get();
  check(posts.length === 2, `two posts on a page: ${posts.length}`);
  check(posts._paging && posts._paging.total === 6, `X-WP-Total read: ${posts._paging && posts._paging.total}`);
  check(posts._paging && posts._paging.totalPages === 3, 'X-WP-TotalPages read');
  const next = await posts._paging.next.get();
  check(next.length === 2 && next[0].id !== posts[0].id, 'the next page through the Link header');

  const one = await wp.posts().id(posts[0].id).embed().get();
  check(one.title.rendered === posts[0].title.rendered, 'a post by id');
  check(one._embedded && one._embedded.author && one._embedded.author[0].name, 'embedded author');
  check(typeof one.content.rendered === 'string' && one.content.rendered.includes('<p>'), 'content.rendered');

  const categories = await wp.categories().get();
  check(categories.length > 0 && categories[0].taxonomy === 'category', 'categories');
  const inCategory = await wp.posts().categories(categories[0].id).get();
  check(inCategory.every((p) => p.categories.includes(categories[0].id)), 'posts of a category');
  const tags = await wp.tags().perPage(5).get();
  check(Array.isArray(tags), 'tags');
  const users = await wp.users().get();
  check(users.length > 0 && users.every((u) => !('email' in u)), 'users without emails');
  const comments = await wp.comments().forPost(posts[0].id).get();
  check(Array.isArray(comments) && comments.every((c) => !('author_email' in c)), 'comments without emails');
  const pages = await wp.pages().slug('about').get();
  check(Array.isArray(pages), 'pages by slug');
  const media = await wp.media().get();
  check(Array.isArray(media), 'media');

  try {
    await wp.posts().id(999999).get();
    problems.push('an unknown id must fail');
  } catch (e) {
    check(e.code === 'rest_post_invalid_id' && e.data && e.data.status === 404, `invalid id error: ${JSON.stringify(e)}`);
  }
  try {
    await wp.posts().create({ title: 'Anonymous', status: 'publish' });
    problems.push('an anonymous create must fail');
  } catch (e) {
    check(e.code === 'rest_cannot_create' && e.data && e.data.status === 401, `create error: ${JSON.stringify(e)}`);
  }
} catch (e) {
  problems.push(`unexpected: ${e && (e.stack || e.message || JSON.stringify(e))}`);
}

console.error = origError;
if (problems.length) {
  console.log(JSON.stringify({ ok: false, problems }, null, 2));
  process.exit(1);
}
console.log(JSON.stringify({ ok: true }));
