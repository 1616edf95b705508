/** How a route describes itself on GET / (each router lists its own endpoints). */
export interface EndpointInfo {
  method: 'GET' | 'POST';
  path: string;
  description: string;
}
