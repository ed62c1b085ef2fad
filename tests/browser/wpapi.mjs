// A real WordPress client, the npm package `wpapi`, against a running Newsroom site: it finds the
// API from the home page's Link header, reads routes from the index, pages through posts, embeds,
// gets WordPress's errors, and writes with an application password (terms, posts, an upload,
// comments). Usage: node wpapi.mjs BASE_URL LOGIN APP_PASSWORD PICTURE. Exits 1 on failures.
import { readFileSync } from 'node:fs';
import WPAPI from 'wpapi';

const [base, login, appPassword, picture] = process.argv.slice(2);
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

  // Writing, as an editor with an application password.
  const desk = new WPAPI({ endpoint: `${base}/wp-json/`, username: login, password: appPassword });
  const me = await desk.users().me().get();
  check(me.email === login, `users/me: ${me.email}`);
  const section = await desk.categories().create({ name: 'Harbour', description: 'Ships and ferries' });
  check(section.id > 0 && section.slug === 'harbour', `category created: ${JSON.stringify(section)}`);
  const upload = await desk.media().file(readFileSync(picture), 'harbour.jpg').create({ alt_text: 'The harbour at dawn' });
  check(upload.id > 0 && upload.media_details.width === 320 && upload.alt_text === 'The harbour at dawn', `upload: ${JSON.stringify(upload)}`);
  const created = await desk.posts().create({
    title: 'Ferry strike ends', content: '<p>Boats sail again from Monday.</p>', status: 'publish',
    categories: [section.id], featured_media: upload.id,
  });
  check(created.status === 'publish' && created.categories.includes(section.id), `post created: ${JSON.stringify(created)}`);
  check(created.featured_media === upload.id, 'featured picture set');
  const updated = await desk.posts().id(created.id).update({ title: 'Ferry strike is over' });
  check(updated.title.rendered === 'Ferry strike is over', 'post updated');
  const visible = await wp.posts().id(created.id).get();
  check(visible.title.rendered === 'Ferry strike is over', 'anonymous readers see it');
  const comment = await desk.comments().create({ post: created.id, content: 'Corrections welcome.' });
  check(comment.status === 'approved' && comment.author_name === 'Desk Editor', `comment: ${JSON.stringify(comment)}`);
  const trashed = await desk.posts().id(created.id).delete();
  check(trashed.status === 'trash', 'moved to the trash');
  const deleted = await desk.posts().id(created.id).delete({ force: true });
  check(deleted.deleted === true, 'deleted for good');
  const removed = await desk.categories().id(section.id).delete({ force: true });
  check(removed.deleted === true, 'category deleted');
  try {
    await new WPAPI({ endpoint: `${base}/wp-json/`, username: login, password: 'wrong password here' }).users().me().get();
    problems.push('a wrong application password must fail');
  } catch (e) {
    check(e.code === 'incorrect_password' && e.data && e.data.status === 401, `wrong password: ${JSON.stringify(e)}`);
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
