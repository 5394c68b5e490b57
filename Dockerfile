# kubesim on Node 20: production dependencies only (tsx runs the TypeScript sources), as user `node`.
#   docker build -t kubesim .
#   docker run --rm -p 6443:6443 kubesim up --host 0.0.0.0
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY web ./web
USER node
EXPOSE 6443
ENTRYPOINT ["node", "bin/kubesim.js"]
CMD ["up", "--host", "0.0.0.0", "--data-dir", "/tmp/kubesim"]
