// Vite bundles the page's CSS from an import.
declare module '*.css';
